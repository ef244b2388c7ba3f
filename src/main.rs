//! cfconsole: a native desktop console for Amazon CloudFront, and its headless CLI.

fn main() {
    println!("cfconsole");
}
