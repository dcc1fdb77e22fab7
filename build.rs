//! Windows builds: embeds `packaging/windows/chroma-connect.rc` (the icon Explorer and the taskbar show, the
//! application manifest, the version information) into the executables. Nothing to do for other targets. Windows
//! builds are made on Windows (the resource compiler comes with the toolchain there), so the build dependency is
//! only there.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=packaging/windows");
    #[cfg(windows)]
    windows::embed_resources();
}

#[cfg(windows)]
mod windows {
    pub(super) fn embed_resources() {
        if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
            return;
        }
        // The manifest declares the DPI awareness and the Windows versions: required, not cosmetic.
        if let Err(err) =
            embed_resource::compile("packaging/windows/chroma-connect.rc", embed_resource::NONE).manifest_required()
        {
            panic!("cannot embed packaging/windows/chroma-connect.rc: {err}");
        }
    }
}
