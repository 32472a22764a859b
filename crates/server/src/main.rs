//! `paddock serve` and `paddock migrate`.

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use paddock_server::{Cli, Command, Secrets, init_logging, run_migrate, serve};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            return match error.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = error.print();
                    ExitCode::SUCCESS
                }
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = error.print();
                    ExitCode::from(2)
                }
                _ => {
                    let text = error.to_string();
                    eprintln!(
                        "paddock: {}",
                        text.lines().next().unwrap_or("invalid arguments")
                    );
                    ExitCode::from(2)
                }
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("paddock: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve(args) => {
            let config = args.validate().map_err(|e| e.to_string())?;
            init_logging(config.storage.log_format);
            serve(config, Secrets::from_env()).map_err(|e| e.to_string())
        }
        Command::Migrate(args) => {
            let storage = args.validate().map_err(|e| e.to_string())?;
            init_logging(storage.log_format);
            let applied = run_migrate(&storage).map_err(|e| e.to_string())?;
            if applied.is_empty() {
                println!("the database is up to date");
            }
            for name in applied {
                println!("applied {name}");
            }
            Ok(())
        }
    }
}
