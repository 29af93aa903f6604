//! The title of a control as the evidence names it.

/// Short ISO/IEC 27002:2022 titles of the identity and access controls,
/// used until the campaign catalog provides them; an unknown id has an
/// empty title rather than a guessed one.
pub fn control_title(id: &str) -> &'static str {
    match id {
        "5.15" => "Access control",
        "5.16" => "Identity management",
        "5.17" => "Authentication information",
        "5.18" => "Access rights",
        "8.2" => "Privileged access rights",
        "8.3" => "Information access restriction",
        "8.5" => "Secure authentication",
        _ => "",
    }
}
