//! Card numbers by pattern: 13 to 19 digits of any script passing the Luhn check, with at most
//! [`MAX_GAP`] characters that are neither letters nor digits between two of them.

use super::decode::{Class, Logical};

/// How many separating characters may stand between two digits of one card number or IBAN
/// (`4111 - 1111`: three).
pub(super) const MAX_GAP: usize = 3;

/// Marks the middle of every card number in `logical` (all but its first 4 and last 2 digits):
/// every window of 13 to 19 digits of a run that passes Luhn. Linear: each digit ends at most
/// 7 windows, each summed in one step.
pub(super) fn mark(logical: &[Logical], masked: &mut [bool]) {
    let mut run: Vec<(usize, u8)> = Vec::new();
    let mut gap = 0;
    for (at, l) in logical.iter().enumerate() {
        match l.class {
            Class::Digit(value) => {
                run.push((at, value));
                gap = 0;
            }
            class if class.separates() && gap < MAX_GAP && !run.is_empty() => gap += 1,
            _ => {
                mark_run(&run, masked);
                run.clear();
                gap = 0;
            }
        }
    }
    mark_run(&run, masked);
}

fn mark_run(run: &[(usize, u8)], masked: &mut [bool]) {
    if run.len() < 13 {
        return;
    }
    // The Luhn sum of a window weighs its digits from its end: the last plain, the one before it
    // doubled, and so on. Two prefix sums, one doubling the digits at odd places and one at even
    // places, give any window's sum in one subtraction: linear, with no walk per window.
    const DOUBLED: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
    let mut even_plain = Vec::with_capacity(run.len() + 1);
    let mut odd_plain = Vec::with_capacity(run.len() + 1);
    let (mut e, mut o) = (0u32, 0u32);
    even_plain.push(0);
    odd_plain.push(0);
    for (j, &(_, d)) in run.iter().enumerate() {
        let (plain, doubled) = (u32::from(d), DOUBLED[usize::from(d)]);
        if j % 2 == 0 {
            e += plain;
            o += doubled;
        } else {
            e += doubled;
            o += plain;
        }
        even_plain.push(e);
        odd_plain.push(o);
    }
    for to in 13..=run.len() {
        // The window's last digit (at `to - 1`) is plain: pick the sums where its place is plain.
        let sums = if (to - 1) % 2 == 0 {
            &even_plain
        } else {
            &odd_plain
        };
        for from in to.saturating_sub(19)..=to - 13 {
            if (sums[to] - sums[from]).is_multiple_of(10) {
                for &(at, _) in &run[from + 4..to - 2] {
                    masked[at] = true;
                }
            }
        }
    }
}
