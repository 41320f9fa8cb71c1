//! The `ripple` binary: the languages it checks, registered in this one place, and the command
//! line (`ripple::main`).

use std::process::ExitCode;
use std::sync::Arc;

use ripple_core::Languages;

/// The analysis allocates many small, short-lived objects (syntax trees, bindings) from several
/// threads; mimalloc serves that pattern markedly faster than the system allocator. Its v2 line
/// (the `v2` feature in Cargo.toml) rather than v3: on the 27k-file corpus v3 held 7 % more
/// memory and was no faster (5 interleaved runs each, `docs/benchmarks.md`). Built with
/// `no_thp`: by default mimalloc asks the kernel to back its arena with transparent huge pages,
/// and where THP is on request only (Debian's default) every fault then zeroes 2 MiB, after
/// compacting memory when no huge page is free. A cold check of the 27k-file corpus spent
/// 0.79 s of system time that way, 0.40 s without (6 interleaved runs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Every language ripple checks. Adding one is a crate and a line here.
fn languages() -> Languages {
    Languages::new(vec![Arc::new(ripple_python::Python)])
}

fn main() -> ExitCode {
    ripple::main(languages())
}
