//! A component's charts, as SVG without inline style: 90 days of uptime bars, the last 24 hours'
//! response times, and the percentages they show.

use std::fmt::Write;

use super::Lang;
use super::words::word;
use crate::status_pages::view::{ComponentView, Response};

pub fn percent(p: f64) -> String {
    let text = format!("{:.2}", (p * 100.0).floor() / 100.0);
    // A no-break space: "99.9 %" never splits across lines.
    format!(
        "{}\u{a0}%",
        text.trim_end_matches('0').trim_end_matches('.')
    )
}

/// 90 days as an SVG of bars, one per day, its class saying how the day went.
pub fn bars(h: &mut String, c: &ComponentView, lang: Lang) {
    let n = c.days.len();
    let _ = write!(
        h,
        "<svg class=\"sp-bars\" viewBox=\"0 0 {} 24\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\">",
        n * 5,
        word(lang, "bars")
    );
    for (i, d) in c.days.iter().enumerate() {
        let class = match d.uptime {
            Some(u) if u < 95.0 => "down",
            Some(u) if u < 99.9 || d.incident => "partial",
            Some(_) => "up",
            None if d.incident => "partial",
            None => "none",
        };
        // Width and height come from the stylesheet: 90 bars a component add up.
        let _ = write!(h, "<rect x=\"{}\" class=\"sp-d-{class}\"", i * 5);
        let label = match d.uptime {
            Some(u) => Some(percent(u)),
            None if d.incident => Some(word(lang, "incidents").to_owned()),
            None => None,
        };
        match label {
            Some(label) => {
                let date = d.start.format("%Y-%m-%d");
                let _ = write!(h, "><title>{date}: {label}</title></rect>");
            }
            None => h.push_str("/>"),
        }
    }
    let _ = write!(
        h,
        "</svg><div class=\"sp-axis\"><span>{}</span><span>{}</span></div>",
        word(lang, "days.ago"),
        word(lang, "today")
    );
}

/// The last response time, the 24 h average, and the hourly averages as bars.
pub fn response(h: &mut String, r: &Response, lang: Lang) {
    let _ = write!(h, "<p class=\"sp-response\">{} ", word(lang, "response"));
    match r.last_ms {
        Some(ms) => {
            let _ = write!(h, "<strong>{ms} ms</strong>");
        }
        None => h.push_str(word(lang, "nodata")),
    }
    if let Some(avg) = r.avg_24h_ms {
        let _ = write!(h, " · {} {:.0} ms", word(lang, "response.avg"), avg);
    }
    h.push_str("</p>");
    let max = r.hours.iter().flatten().cloned().fold(1.0f64, f64::max);
    let _ = write!(
        h,
        "<svg class=\"sp-chart\" viewBox=\"0 0 {} 24\" preserveAspectRatio=\"none\" aria-hidden=\"true\">",
        r.hours.len() * 5
    );
    for (i, ms) in r.hours.iter().enumerate() {
        if let Some(ms) = ms {
            let height = (ms / max * 24.0).max(1.0);
            let _ = write!(
                h,
                "<rect x=\"{}\" y=\"{:.1}\" height=\"{height:.1}\" class=\"sp-d-up\"><title>{ms:.0} ms</title></rect>",
                i * 5,
                24.0 - height
            );
        }
    }
    h.push_str("</svg>");
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentages_are_floored_to_two_decimals_without_trailing_zeros() {
        let cases = [
            (100.0, "100"),
            (99.999, "99.99"),
            (99.5, "99.5"),
            (10.0, "10"),
            (0.0, "0"),
        ];
        for (value, text) in cases {
            assert_eq!(super::percent(value), format!("{text}\u{a0}%"), "{value}");
        }
    }
}
