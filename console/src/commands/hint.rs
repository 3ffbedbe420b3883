//! `hint`: one hint of a tutorial exercise, the next one the learner has
//! not seen unless `--level` names one; the count of hints used is kept in
//! the learner's progress, as the tutorial's `h` keeps it.

use moult_console::exit::Exit;
use moult_console::tutorial::catalog;
use moult_console::tutorial::progress::ProgressFile;
use moult_console::tutorial::workspace::Workspace;

use crate::cli::HintArgs;

/// Prints the hint; exit 0, or an error (unknown exercise, no such level).
pub fn run(args: &HintArgs) -> anyhow::Result<Exit> {
    let exercise = catalog::find(&args.exercise).map_err(anyhow::Error::msg)?;
    let workspace = Workspace::locate()?;
    let hints = workspace.hints(exercise).map_err(anyhow::Error::msg)?;
    let mut file = ProgressFile::from_env();
    let used = file
        .as_mut()
        .map_or(0, |f| f.load().progress.hints_used(exercise.id));
    let total = hints.len();
    let level = match args.level {
        Some(level) if (1..=total).contains(&level) => level,
        Some(level) => anyhow::bail!(
            "{} has hints 1 to {total}; there is no hint {level}",
            exercise.id
        ),
        None => (used + 1).min(total),
    };
    let text = hints.level(level).unwrap_or_default();
    println!(
        "Hint {level} of {total} for {} ({}):\n\n{text}\n",
        exercise.label(),
        exercise.id
    );
    if level < total {
        println!(
            "More detail: moult-console hint {} (hint {} of {total}).",
            exercise.id,
            level.max(used) + 1
        );
    } else {
        let solution = workspace.solution_dir(exercise);
        let solution = solution
            .strip_prefix(&workspace.root)
            .unwrap_or(&solution)
            .display()
            .to_string();
        println!("That was the last hint; the solution is in {solution}/.");
    }
    if let Some(file) = &mut file
        && let Err(why) = file.record_hint(exercise.id, level)
    {
        eprintln!("the hint is not recorded in your tutorial progress: {why}");
    }
    Ok(Exit::Success)
}
