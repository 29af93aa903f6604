//! `recert formats`: list the file formats import recognises.

use std::fmt::Write;

use color_eyre::eyre::Result;

use super::Context;
use crate::import::formats::{FORMATS, Format};
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the formats as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(_context: &Context, args: &Args) -> Result<()> {
    if args.json {
        output::print_json(&as_json(FORMATS))?;
    } else {
        output::print(&render(FORMATS))?;
    }
    Ok(())
}

/// The formats as a JSON array, in detection order.
pub fn as_json(formats: &[Format]) -> serde_json::Value {
    formats
        .iter()
        .map(|f| {
            serde_json::json!({
                "name": f.name,
                "title": f.title,
                "produces": f.produces,
                "source": f.source,
                "header": f.confidence.as_str(),
            })
        })
        .collect()
}

/// The list for people: one block per format, in the order detection tries them.
pub fn render(formats: &[Format]) -> String {
    let mut out = String::from(
        "Formats recert reads, tried in this order on each file's header (force one with --format NAME):\n",
    );
    for format in formats {
        let _ = writeln!(
            out,
            "\n{}  [header: {}]",
            format.name,
            format.confidence.as_str()
        );
        let _ = writeln!(out, "  {}", format.title);
        let _ = writeln!(out, "  produces: {}", format.produces);
        let _ = writeln!(out, "  get it:   {}", format.source);
    }
    out.push_str(
        "\nAny other layout: describe its columns in a TOML mapping file and pass --mapping FILE=MAPPING (README: Mapping files);\n`recert mapping init FILE > mapping.toml` writes one to start from.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_is_listed_with_what_it_produces() {
        let text = render(FORMATS);
        for format in FORMATS {
            assert!(
                text.contains(&format!("\n{}  [header: ", format.name)),
                "{text}"
            );
            assert!(text.contains(format.produces), "{text}");
        }
        assert!(text.contains("--mapping FILE=MAPPING"));
        assert!(text.contains("`recert mapping init FILE > mapping.toml`"));
    }

    #[test]
    fn json_names_every_format_once() {
        let json = as_json(FORMATS);
        let names: Vec<&str> = json
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|f| f["name"].as_str())
            .collect();
        assert_eq!(names.len(), FORMATS.len());
        assert_eq!(names[0], "aws-credential-report");
        assert_eq!(json[0]["header"], "verified");
    }
}
