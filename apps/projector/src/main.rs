//! The projector (SPEC §7). Projection is not implemented yet: for now the binary
//! validates its configuration and exits, so the stack can check it is deployable.

use platform::config::Env;

fn main() {
    platform::telemetry::init_json_logs();
    let env = Env::from_process();
    for name in ["KAFKA_BROKERS", "MONGODB_URL"] {
        if let Err(err) = env.required(name) {
            eprintln!("{err}");
            std::process::exit(2);
        }
    }
    tracing::warn!("projector: projection is not implemented yet; configuration is valid, exiting");
}
