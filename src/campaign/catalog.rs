//! The control catalog (assets/controls.toml): ISO/IEC 27002:2022 identity and
//! access controls with our own descriptions and their crosswalks.

use std::cmp::Ordering;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// The catalog as shipped, embedded in the binary.
pub const BUILTIN_TEXT: &str = include_str!("../../assets/controls.toml");

/// One control a review item can be filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// The ISO/IEC 27002:2022 number, e.g. `5.18`.
    pub id: String,
    pub title: String,
    /// recert's own one-line summary (never the standard's text).
    pub description: String,
    #[serde(default)]
    pub nist_csf: Vec<String>,
    #[serde(default)]
    pub soc2: Vec<String>,
    #[serde(default)]
    pub owasp_nhi: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    controls: Vec<Control>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    control: Vec<Control>,
}

static BUILTIN: LazyLock<Catalog> = LazyLock::new(|| {
    // The embedded asset is checked by `builtin_catalog_parses` below.
    Catalog::parse(BUILTIN_TEXT).expect("the embedded control catalog is valid")
});

impl Catalog {
    /// The embedded catalog, parsed once.
    pub fn builtin() -> &'static Catalog {
        &BUILTIN
    }

    /// Parses a catalog, checking ids are well-formed and unique; controls
    /// come out in numeric order (5.3 before 5.15).
    pub fn parse(text: &str) -> Result<Catalog, String> {
        let file: CatalogFile = toml::from_str(text).map_err(|err| err.to_string())?;
        let mut controls = file.control;
        for control in &controls {
            if control_key(&control.id).is_none() {
                return Err(format!(
                    "control id {:?} is not of the form NUMBER.NUMBER, e.g. 5.18",
                    control.id
                ));
            }
        }
        controls.sort_by(|a, b| compare_ids(&a.id, &b.id));
        if let Some(pair) = controls.windows(2).find(|pair| pair[0].id == pair[1].id) {
            return Err(format!("control {} is listed twice", pair[0].id));
        }
        Ok(Catalog { controls })
    }

    pub fn get(&self, id: &str) -> Option<&Control> {
        let id = id.trim();
        self.controls.iter().find(|control| control.id == id)
    }

    /// Every control, in numeric order.
    pub fn controls(&self) -> &[Control] {
        &self.controls
    }

    /// The ids, for error messages: `5.3, 5.15, ...`.
    pub fn ids(&self) -> String {
        self.controls
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The control's title, or the id itself for an id not in the catalog.
    pub fn title<'a>(&'a self, id: &'a str) -> &'a str {
        self.get(id).map_or(id, |control| control.title.as_str())
    }
}

/// `5.18` → (5, 18); None for anything else.
fn control_key(id: &str) -> Option<(u32, u32)> {
    let (major, minor) = id.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Orders control ids numerically (5.3 < 5.15 < 8.2); ids that are not
/// numbers sort after those that are, alphabetically.
pub fn compare_ids(a: &str, b: &str) -> Ordering {
    match (control_key(a), control_key(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses() {
        let catalog = Catalog::parse(BUILTIN_TEXT).expect("valid catalog");
        assert_eq!(&catalog, Catalog::builtin());
    }

    #[test]
    fn builtin_catalog_holds_the_identity_and_access_controls_in_order() {
        let ids: Vec<&str> = Catalog::builtin()
            .controls()
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["5.3", "5.15", "5.16", "5.17", "5.18", "8.2", "8.3", "8.5"]
        );
        let access_rights = Catalog::builtin().get("5.18").expect("5.18");
        assert_eq!(access_rights.title, "Access rights");
        assert!(access_rights.nist_csf.contains(&"PR.AA-05".to_owned()));
        assert_eq!(
            Catalog::builtin().get("5.17").expect("5.17").owasp_nhi,
            ["NHI2:2025", "NHI7:2025"]
        );
    }

    #[test]
    fn every_control_has_a_description_and_a_crosswalk() {
        for control in Catalog::builtin().controls() {
            assert!(!control.description.is_empty(), "{}", control.id);
            assert!(!control.nist_csf.is_empty(), "{}", control.id);
            assert!(!control.soc2.is_empty(), "{}", control.id);
        }
    }

    #[test]
    fn ids_sort_numerically() {
        let mut ids = vec!["8.2", "5.15", "5.3", "x", "5.18"];
        ids.sort_by(|a, b| compare_ids(a, b));
        assert_eq!(ids, ["5.3", "5.15", "5.18", "8.2", "x"]);
    }

    #[test]
    fn duplicates_and_bad_ids_are_refused() {
        let control = "[[control]]\nid = \"5.18\"\ntitle = \"t\"\ndescription = \"d\"\n";
        let twice = format!("{control}{control}");
        assert_eq!(
            Catalog::parse(&twice).expect_err("duplicate"),
            "control 5.18 is listed twice"
        );
        let bad = control.replace("5.18", "A.9");
        assert!(
            Catalog::parse(&bad)
                .expect_err("bad id")
                .contains("NUMBER.NUMBER")
        );
    }
}
