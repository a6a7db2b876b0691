fn main() -> std::process::ExitCode {
    gaia::run()
}
