//! Asking on a terminal for the values `cnpg-dr new` cannot learn.

use std::io::{BufRead, IsTerminal, Write};

use cnpg_dr_core::scaffold::{Choices, Field, ScaffoldError, SecretStoreRef};

/// True when both the questions (stderr) and the answers (stdin) are a terminal.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The suggested answer for a missing value.
fn suggestion(field: Field) -> Option<&'static str> {
    match field {
        Field::DestinationPath => Some("s3://backups/{name}"),
        Field::SecretStore => Some("ClusterSecretStore/vault"),
        _ => None,
    }
}

/// Asks for each missing value (Enter takes the suggestion) and returns them as choices.
pub fn ask(missing: &[&ScaffoldError]) -> Result<Choices, String> {
    let mut answers = Choices::default();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    for e in missing {
        let flag = e.field.flag().unwrap_or("value");
        let suggested = suggestion(e.field);
        let mut err = std::io::stderr();
        let _ = write!(err, "{}\n{flag}", e.message);
        if let Some(s) = suggested {
            let _ = write!(err, " [{s}]");
        }
        let _ = write!(err, ": ");
        let _ = err.flush();
        let line = match lines.next() {
            Some(Ok(l)) => l,
            Some(Err(e)) => return Err(format!("cannot read the answer: {e}")),
            None => return Err(format!("no answer for {flag} (end of input)")),
        };
        let answer = match (line.trim(), suggested) {
            ("", Some(s)) => s.to_string(),
            ("", None) => return Err(format!("no answer for {flag}")),
            (a, _) => a.to_string(),
        };
        match e.field {
            Field::DestinationPath => answers.destination_path = Some(answer),
            Field::SecretStore => {
                answers.secret_store =
                    Some(SecretStoreRef::parse(&answer).map_err(|e| format!("{flag}: {e}"))?)
            }
            _ => return Err(format!("{}: pass {flag}", e.message)),
        }
    }
    Ok(answers)
}
