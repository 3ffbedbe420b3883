//! Small charts that fit in a table cell: a text sparkline and a text gauge.

use crate::tui::theme::Theme;

/// The last `width` samples as one character each, scaled to the largest
/// shown (all zero: the lowest level).
pub fn sparkline(samples: impl Iterator<Item = u64>, width: usize, theme: Theme) -> String {
    let samples: Vec<u64> = samples.collect();
    let shown = &samples[samples.len().saturating_sub(width)..];
    let levels = theme.spark_levels();
    let max = shown.iter().copied().max().unwrap_or(0);
    shown
        .iter()
        .map(|&v| {
            let top = (levels.len() - 1) as u64;
            let level = (v * top + max / 2).checked_div(max).unwrap_or(0);
            levels[level as usize]
        })
        .collect()
}

/// A bar `width` cells wide filled to `ratio` (0.0 to 1.0).
pub fn gauge(ratio: f64, width: usize, theme: Theme) -> String {
    let (full, empty) = theme.gauge_cells();
    let filled = ((ratio.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    std::iter::repeat_n(full, filled)
        .chain(std::iter::repeat_n(empty, width - filled))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASCII: Theme = Theme {
        color: false,
        ascii: true,
    };

    #[test]
    fn sparklines_scale_to_the_largest_shown_sample() {
        assert_eq!(sparkline([0, 5, 10].into_iter(), 10, ASCII), "_=#");
        assert_eq!(sparkline([100, 0, 0, 10].into_iter(), 3, ASCII), "__#");
        assert_eq!(sparkline([0, 0].into_iter(), 5, ASCII), "__");
        let unicode = Theme {
            ascii: false,
            ..ASCII
        };
        assert_eq!(sparkline([1, 8].into_iter(), 2, unicode), "▂█");
    }

    #[test]
    fn gauges_fill_to_their_ratio() {
        assert_eq!(gauge(0.5, 10, ASCII), "#####-----");
        assert_eq!(gauge(1.5, 4, ASCII), "####");
        assert_eq!(gauge(0.0, 3, ASCII), "---");
    }
}
