//! `ripple` with the toy language registered beside Python: the binary the toy's end-to-end
//! tests run (`ripple-toy check`, `ripple-toy lsp`).

use std::process::ExitCode;
use std::sync::Arc;

use ripple_core::Languages;

fn main() -> ExitCode {
    ripple::main(Languages::new(vec![
        Arc::new(ripple_python::Python),
        Arc::new(ripple_toy::Toy),
    ]))
}
