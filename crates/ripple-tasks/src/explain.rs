//! Why a task's result for a target does or does not hold now (`ripple explain --task`): the
//! result the current inputs key is kept (fresh), or the last one computed for the target was
//! made from something that changed since (stale: its manifest says what), or none was.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use ripple_workspace::{ChangedInput, Explanation, Freshness, StateChange, Workspace};

use crate::definition::{Deps, TaskDefinition};
use crate::manifest::{self, short, variable};
use crate::plan::Planner;
use crate::record::TaskRecord;
use crate::targets::{OtherFiles, targets_of};

fn hex(digest: Option<[u8; 16]>) -> Option<String> {
    digest.map(|bytes| bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Explains `task`'s result for the target at `path`. `may_run`: whether the tool may be run
/// to learn its identity (`--version`) when the store does not know it; only a trusted
/// workspace's commands may run.
pub fn explain_target(
    workspace: &mut Workspace,
    task: &TaskDefinition,
    path: &Path,
    may_run: bool,
) -> Result<Explanation, String> {
    let target = workspace.display_path(path);
    let is_target = targets_of(task, workspace, &mut OtherFiles::default())
        .iter()
        .any(|candidate| candidate.relative == target);
    if !is_target {
        return Err(format!(
            "`{target}` is not a target of the task `{}` (its `files`: {})",
            task.name,
            task.files.join(", ")
        ));
    }
    let store = workspace.store();
    let never = AtomicBool::new(false);
    let mut explanation = Explanation {
        path: target.clone(),
        task: Some(task.name.clone()),
        status: Freshness::NeverRun,
        changed: Vec::new(),
        state: Vec::new(),
    };
    let (tool, inputs) = {
        let mut planner = Planner::new(workspace, store.as_deref(), &never).may_run(may_run);
        let plan = planner.plan(task, &[path.to_path_buf()], false)?;
        if plan
            .units
            .iter()
            .any(|unit| unit.found.is_some() && unit.targets.contains(&target))
        {
            explanation.status = Freshness::Fresh;
            return Ok(explanation);
        }
        (plan.tool.identity, plan.inputs)
    };
    let Some(store) = store else {
        return Ok(explanation);
    };
    let record = TaskRecord::read(&store, workspace.root());
    let Some(key) = record.last_key(&task.name, &target) else {
        return Ok(explanation);
    };
    explanation.status = Freshness::Stale;
    let Some((kept, snapshot)) = manifest::read(&store, &key) else {
        explanation.state.push(StateChange::Other {
            detail: "what its last result was made from is not kept (pruned from the cache)"
                .to_string(),
        });
        return Ok(explanation);
    };
    let other = |detail: String| StateChange::Other { detail };
    if kept.definition != *task.digest.as_bytes() {
        explanation.state.push(other(format!(
            "the task's definition in {} changed",
            workspace.display_path(&task.config_path)
        )));
    }
    if kept.tool != *tool.as_bytes() {
        explanation.state.push(other(format!(
            "the tool `{}` changed (its executable or its version)",
            task.command.first().map_or("", String::as_str)
        )));
    }
    for (name, before) in &kept.env {
        if variable(name) != *before {
            explanation
                .state
                .push(other(format!("the environment variable {name} changed")));
        }
    }
    if task.deps == Deps::Imports
        && kept.environment != Some(*workspace.environment_digest().as_bytes())
    {
        explanation.state.push(other(
            "the import environment changed (search paths, installed libraries)".to_string(),
        ));
    }
    for (input, before) in &kept.inputs {
        let now = inputs
            .iter()
            .find(|(path, _)| path == input)
            .and_then(|(_, digest)| short(*digest));
        if now != *before {
            explanation.changed.push(ChangedInput {
                path: input.clone(),
                old: hex(*before),
                new: hex(now),
                chain: vec![target.clone(), input.clone()],
            });
        }
    }
    for (at, &(position, _)) in kept.members.iter().enumerate() {
        let Some((member, before)) = snapshot.get(position as usize) else {
            continue;
        };
        let now = manifest::current(workspace, member);
        if now != *before {
            explanation.changed.push(ChangedInput {
                path: member.clone(),
                old: hex(*before),
                new: hex(now),
                chain: manifest::chain(&kept, &snapshot, at),
            });
        }
    }
    Ok(explanation)
}
