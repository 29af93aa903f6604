//! The report's chart: one stacked bar per control (certified, revoked,
//! undecided) as inline SVG, readable without colour thanks to its labels.

use std::fmt::Write as _;

use super::ControlTotals;
use super::html::escape;

const WIDTH: u32 = 760;
const LABEL: u32 = 240;
const BAR: u32 = 22;
const GAP: u32 = 12;
const TOP: u32 = 34;

pub const CERTIFIED: &str = "#2e7d32";
pub const REVOKED: &str = "#c62828";
pub const UNDECIDED: &str = "#9e9e9e";

/// The chart, scaled so that each bar shows the shares of its own control.
pub fn chart(controls: &[ControlTotals]) -> String {
    let rows = u32::try_from(controls.len()).unwrap_or(u32::MAX).max(1);
    let height = TOP + rows * (BAR + GAP) + 8;
    // Room on the right for the widest "decided/total" label.
    let span = WIDTH - LABEL - 110;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg role=\"img\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" aria-label=\"Decisions per control\">"
    );
    let legend = [
        ("certified", CERTIFIED),
        ("revoked", REVOKED),
        ("undecided", UNDECIDED),
    ];
    for (n, (name, colour)) in (0u32..).zip(legend) {
        let x = LABEL + n * 120;
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"6\" width=\"14\" height=\"14\" fill=\"{colour}\"/><text x=\"{}\" y=\"18\">{name}</text>",
            x + 20
        );
    }
    for (row, control) in (0u32..).zip(controls) {
        let y = TOP + row * (BAR + GAP);
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\">{} {}</text>",
            y + 16,
            escape(&control.id),
            escape(&shorten(&control.title, 30))
        );
        let mut x = LABEL;
        for (count, colour) in [
            (control.certified, CERTIFIED),
            (control.revoked, REVOKED),
            (control.undecided(), UNDECIDED),
        ] {
            let width = share(count, control.total, span);
            if width > 0 {
                let _ = write!(
                    svg,
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{BAR}\" fill=\"{colour}\"><title>{count}</title></rect>"
                );
            }
            x += width;
        }
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\">{}/{}</text>",
            LABEL + span + 8,
            y + 16,
            control.certified + control.revoked,
            control.total
        );
    }
    svg.push_str("</svg>");
    svg
}

/// `count / total` of `span` pixels, rounded; 0 for an empty control.
fn share(count: u64, total: u64, span: u32) -> u32 {
    if total == 0 {
        return 0;
    }
    let pixels = (u128::from(count) * u128::from(span) + u128::from(total) / 2) / u128::from(total);
    u32::try_from(pixels).unwrap_or(span)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_fill_the_bar_and_an_empty_control_draws_nothing() {
        assert_eq!(share(1, 3, 300) + share(2, 3, 300), 300);
        assert_eq!(share(0, 0, 300), 0);
    }

    #[test]
    fn titles_are_escaped_in_the_chart() {
        let svg = chart(&[ControlTotals {
            id: "<x>".to_owned(),
            title: "a & b".to_owned(),
            total: 2,
            certified: 1,
            revoked: 1,
        }]);
        assert!(svg.contains("&lt;x&gt; a &amp; b"), "{svg}");
        assert!(svg.contains(REVOKED));
    }
}
