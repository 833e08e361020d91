//! Prints the CPU time of turning a 1 MiB one-line Trac description into a
//! card's text, for the shapes that once made the conversion quadratic.

use std::time::Instant;

use switchboard_trackers::trac::wiki_to_text;

fn main() {
    println!("{:<10} {:>10} {:>12}", "unit", "ms", "text bytes");
    for unit in ["{", "[", "[a", "{{{x", "[[a|", "''!", "plain"] {
        let huge = unit.repeat((1 << 20) / unit.len());
        let started = Instant::now();
        let text = wiki_to_text(&huge);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        println!("{unit:<10} {ms:>10.2} {:>12}", text.len());
    }
}
