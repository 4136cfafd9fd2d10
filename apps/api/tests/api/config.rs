//! Configuration: the binary refuses to start on a missing or bad variable and names it.

use std::process::Command;

#[test]
fn the_binary_refuses_to_start_without_configuration_and_names_the_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_api"))
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("JWT_SECRET"), "{stderr}");

    let output = Command::new(env!("CARGO_BIN_EXE_api"))
        .env_clear()
        .envs(crate::helpers::test_env("postgres://127.0.0.1/x"))
        .env("ACCESS_TTL_SECONDS", "soon")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("ACCESS_TTL_SECONDS"));
}
