//! The tutorial's exercises, in order: Pymoult's steps 1 to 4, then step 5,
//! what moult does beyond Pymoult.

use super::checks;
use super::exercise::Exercise;

/// Every exercise, in the order a workshop takes them.
pub static EXERCISES: [&Exercise; 13] = [
    &checks::step1_hello::EXERCISE,
    &checks::step1_tictoc::EXERCISE,
    &checks::step1_data::EXERCISE,
    &checks::step2_fibonacci::EXERCISE,
    &checks::step2_series::EXERCISE,
    &checks::step3_custom_hello::EXERCISE,
    &checks::step3_custom_data::EXERCISE,
    &checks::step3_clock::EXERCISE,
    &checks::step3_reboot::EXERCISE,
    &checks::step4_simultaneous::EXERCISE,
    &checks::step4_webserver::EXERCISE,
    &checks::step5_revert::EXERCISE,
    &checks::step5_async_kv::EXERCISE,
];

/// The exercise with this id, or the list of ids to choose from.
pub fn find(id: &str) -> Result<&'static Exercise, String> {
    EXERCISES
        .iter()
        .copied()
        .find(|e| e.id == id)
        .ok_or_else(|| {
            let ids: Vec<&str> = EXERCISES.iter().map(|e| e.id).collect();
            format!("no exercise {id:?}; the exercises are: {}", ids.join(", "))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_in_step_order() {
        let mut seen = std::collections::HashSet::new();
        for pair in EXERCISES.windows(2) {
            assert!((pair[0].step, pair[0].number) < (pair[1].step, pair[1].number));
        }
        for e in EXERCISES {
            assert!(seen.insert(e.id), "{} twice", e.id);
            assert!(e.id.starts_with(&format!("step{}-", e.step)));
        }
        assert!(
            find("step9-nothing")
                .unwrap_err()
                .contains("step1-hello, step1-tictoc")
        );
    }

    #[test]
    fn every_exercise_has_its_app_crates_and_statement() {
        let ws = super::super::workspace::Workspace::locate().expect("run inside the checkout");
        for e in EXERCISES {
            for dir in [
                ws.starter_dir(e),
                ws.solution_dir(e),
                ws.exercise_dir(e).join("app"),
            ] {
                assert!(
                    dir.join("Cargo.toml").is_file(),
                    "{} lacks {}",
                    e.id,
                    dir.display()
                );
            }
            assert!(
                ws.statement_path(e).is_file(),
                "{} lacks its statement",
                e.id
            );
        }
    }
}
