//! Packaging: the icon renditions, the Linux desktop entry and `AppStream` metainfo, the macOS and Windows bundle
//! metadata, and the `.deb` that `scripts/package.sh` builds (`cargo test --test packaging`).
//!
//! The metadata tests are fast and need nothing installed; they also run `desktop-file-validate` and
//! `appstreamcli validate --no-net` when those are on PATH (scripts/package.sh installs them).
//! `deb_package_installs_where_a_desktop_expects` builds the `.deb` with scripts/package.sh, lists it, extracts it
//! into a temporary root, runs the extracted `chroma-connect --version` and, where Xvfb, xdotool and xprop exist,
//! starts the app from the extracted desktop entry on a private X server. In the test command it packages the
//! dev-profile binary the tests already built (`--profile dev --fast`: the same package layout in under a minute,
//! where a release build takes 8 minutes on 2 cores); `CHROMA_CONNECT_PACKAGE_RELEASE=1` packages the release build
//! as scripts/package.sh does by default. `CHROMA_CONNECT_SKIP_PACKAGE=1` skips that one test (saying so);
//! `CHROMA_CONNECT_PACKAGE_TARGET_DIR=DIR` makes its build in DIR instead of target/.

// Reason: in tests a failed unwrap/expect is a test failure with a backtrace, which is what we want; the skip
// notices go to stderr on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The PNG sizes of assets/icons/ (and of scripts/icons.sh, and of the hicolor folders of the .deb).
const ICON_SIZES: [u32; 8] = [16, 24, 32, 48, 64, 128, 256, 512];
/// The .ico's sizes (scripts/icons.sh).
const ICO_SIZES: [u32; 6] = [16, 24, 32, 48, 64, 256];
/// The default screenshot of the metainfo (the first picture of the README).
const DEFAULT_SCREENSHOT: &str = "docs/editor.png";
/// Set to 1 to skip building the .deb.
const SKIP_PACKAGE_ENV: &str = "CHROMA_CONNECT_SKIP_PACKAGE";
/// Set to 1 to package the release build (slow) instead of the dev-profile binary.
const PACKAGE_RELEASE_ENV: &str = "CHROMA_CONNECT_PACKAGE_RELEASE";
/// A cargo target folder for the .deb's build (e.g. one that outlives CI's fresh clones, so that the
/// dependencies are not built again each run); default: the project's own target folder.
const PACKAGE_TARGET_ENV: &str = "CHROMA_CONNECT_PACKAGE_TARGET_DIR";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    fs::read_to_string(root().join(rel)).unwrap_or_else(|err| panic!("cannot read {rel}: {err}"))
}

/// The application id: `APP_ID` in src/app/mod.rs (read as text, so that this test target does not link the app).
fn app_id() -> String {
    let source = read("src/app/mod.rs");
    let line = source
        .lines()
        .find(|l| l.trim_start().starts_with("pub const APP_ID: &str = \""))
        .expect("src/app/mod.rs defines pub const APP_ID");
    line.split('"').nth(1).unwrap().to_owned()
}

fn cargo_toml() -> toml::Table {
    read("Cargo.toml").parse().unwrap()
}

fn package_key(key: &str) -> String {
    cargo_toml()["package"][key].as_str().unwrap_or_else(|| panic!("Cargo.toml has no package.{key}")).to_owned()
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

// ------------------------------------------------------------------------------------------------ small parsers

/// Width and height of a PNG, from its IHDR chunk; panics when `bytes` is not a PNG.
fn png_size(bytes: &[u8], what: &str) -> (u32, u32) {
    assert!(bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{what} is not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR", "{what}: no IHDR chunk first");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

/// An XML element: enough of XML for the metadata files here (prolog, comments, DOCTYPE, elements, attributes,
/// text, the five entities and character references), strict about well-formedness.
#[derive(Debug, Clone, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_owned())
    }
}

fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').ok_or_else(|| format!("unterminated entity in {raw:?}"))? + at;
        let entity = &rest[at + 1..end];
        let ch = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ if entity.starts_with("#x") => u32::from_str_radix(&entity[2..], 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| format!("bad reference &{entity};"))?,
            _ if entity.starts_with('#') => {
                entity[1..].parse().ok().and_then(char::from_u32).ok_or_else(|| format!("bad reference &{entity};"))?
            }
            _ => return Err(format!("unknown entity &{entity};")),
        };
        out.push(ch);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    if out.contains('<') && raw.contains('<') {
        return Err(format!("'<' in text or attribute: {raw:?}"));
    }
    Ok(out)
}

fn parse_xml(doc: &str) -> Result<Element, String> {
    let mut stack: Vec<Element> = vec![Element { name: "#document".into(), ..Element::default() }];
    let mut rest = doc.strip_prefix('\u{feff}').unwrap_or(doc);
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<?") {
            let end = after.find("?>").ok_or("unterminated <?...?>")?;
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unterminated comment")?;
            if after[..end].contains("--") {
                return Err("'--' inside a comment".into());
            }
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("<!DOCTYPE") {
            let end = after.find('>').ok_or("unterminated DOCTYPE")?;
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').ok_or("unterminated end tag")?;
            let name = after[..end].trim();
            let done = stack.pop().ok_or("end tag without start")?;
            if done.name != name || stack.is_empty() {
                return Err(format!("</{name}> closes <{}>", done.name));
            }
            stack.last_mut().unwrap().children.push(done);
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').ok_or("unterminated start tag")?;
            let (tag, empty) = match after[..end].strip_suffix('/') {
                Some(tag) => (tag, true),
                None => (&after[..end], false),
            };
            let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
            let mut element = Element { name: tag[..name_end].to_owned(), ..Element::default() };
            if element.name.is_empty() || !element.name.chars().all(|c| c.is_alphanumeric() || ":_-.".contains(c)) {
                return Err(format!("bad element name in <{tag}>"));
            }
            let mut attrs = tag[name_end..].trim();
            while !attrs.is_empty() {
                let eq = attrs.find('=').ok_or_else(|| format!("attribute without value in <{tag}>"))?;
                let key = attrs[..eq].trim().to_owned();
                let value_part = attrs[eq + 1..].trim_start();
                let quote = value_part.chars().next().filter(|q| *q == '"' || *q == '\'');
                let quote = quote.ok_or_else(|| format!("unquoted attribute {key} in <{tag}>"))?;
                let close = value_part[1..].find(quote).ok_or_else(|| format!("unterminated attribute {key}"))?;
                let value = unescape(&value_part[1..=close])?;
                if element.attrs.insert(key.clone(), value).is_some() {
                    return Err(format!("attribute {key} twice in <{tag}>"));
                }
                attrs = value_part[close + 2..].trim_start();
            }
            rest = &after[end + 1..];
            if stack.len() == 1 && stack[0].children.iter().any(|_| true) {
                return Err("more than one root element".into());
            }
            if empty {
                stack.last_mut().unwrap().children.push(element);
            } else {
                stack.push(element);
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = unescape(&rest[..end])?;
            if stack.len() == 1 && !text.trim().is_empty() {
                return Err(format!("text outside the root element: {:?}", text.trim()));
            }
            stack.last_mut().unwrap().text.push_str(&text);
            rest = &rest[end..];
        }
    }
    if stack.len() != 1 {
        return Err(format!("<{}> is not closed", stack.last().unwrap().name));
    }
    let mut document = stack.pop().unwrap();
    if document.children.len() != 1 {
        return Err("no root element".into());
    }
    Ok(document.children.pop().unwrap())
}

fn parse_xml_file(rel: &str) -> Element {
    parse_xml(&read(rel)).unwrap_or_else(|err| panic!("{rel} is not well-formed XML: {err}"))
}

/// A desktop entry: group → key → value (keys in order of the file; no duplicate groups or keys allowed).
fn parse_desktop_entry(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut groups: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            assert!(groups.insert(name.to_owned(), BTreeMap::new()).is_none(), "group [{name}] twice");
            current = Some(name.to_owned());
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or_else(|| panic!("not a key=value line: {line:?}"));
        let group = current.as_ref().expect("a key before the first group");
        let previous = groups.get_mut(group).unwrap().insert(key.trim().to_owned(), value.trim().to_owned());
        assert!(previous.is_none(), "key {key} twice in [{group}]");
    }
    groups
}

/// The arguments of a desktop-entry Exec value without its field codes (no quoting is used in ours).
fn exec_args(exec: &str) -> Vec<String> {
    assert!(!exec.contains('"') && !exec.contains('\''), "quoting in Exec is not handled here: {exec}");
    exec.split_whitespace().filter(|arg| !(arg.len() == 2 && arg.starts_with('%'))).map(str::to_owned).collect()
}

/// A plist's top-level dict (strings, booleans, integers; arrays and dicts as their XML).
fn plist_dict(plist: &Element) -> BTreeMap<String, String> {
    assert_eq!(plist.name, "plist");
    assert_eq!(plist.attrs.get("version").map(String::as_str), Some("1.0"));
    let dict = plist.child("dict").expect("the plist holds a dict");
    let mut out = BTreeMap::new();
    let mut items = dict.children.iter();
    while let Some(key) = items.next() {
        assert_eq!(key.name, "key", "plist dict: a <key> first, got <{}>", key.name);
        let value = items.next().unwrap_or_else(|| panic!("plist key {} has no value", key.text));
        let value = match value.name.as_str() {
            "string" | "integer" | "real" => value.text.clone(),
            "true" | "false" => value.name.clone(),
            other => format!("<{other}>"),
        };
        assert!(out.insert(key.text.clone(), value).is_none(), "plist key {} twice", key.text);
    }
    out
}

/// The entries of an .ico: (width, height, data).
fn ico_entries(bytes: &[u8]) -> Vec<(u32, u32, &[u8])> {
    let le16 = |i: usize| u16::from_le_bytes(bytes[i..i + 2].try_into().unwrap());
    let le32 = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
    assert!(bytes.len() > 6 && le16(0) == 0 && le16(2) == 1, "not an ICO file");
    let count = usize::from(le16(4));
    assert!(bytes.len() >= 6 + 16 * count, "ICO directory cut short");
    (0..count)
        .map(|i| {
            let at = 6 + 16 * i;
            let side = |b: u8| if b == 0 { 256 } else { u32::from(b) };
            let (len, offset) = (le32(at + 8), le32(at + 12));
            assert!(offset + len <= bytes.len(), "ICO entry {i} points past the end of the file");
            (side(bytes[at]), side(bytes[at + 1]), &bytes[offset..offset + len])
        })
        .collect()
}

/// The raw-file URL of `path` on the project's homepage (a GitHub repository), branch main.
fn raw_url(path: &str) -> String {
    let homepage = package_key("homepage");
    let repo = homepage.strip_prefix("https://github.com/").expect("the homepage is a GitHub repository");
    format!("https://raw.githubusercontent.com/{}/main/{path}", repo.trim_end_matches('/'))
}

#[test]
fn the_xml_reader_refuses_what_is_not_well_formed() {
    let ok = parse_xml("<?xml version=\"1.0\"?>\n<!-- c -->\n<a x=\"1 &amp; 2\"><b>t&lt;</b><c/></a>\n").unwrap();
    assert_eq!((ok.attrs["x"].as_str(), ok.text_of("b").as_deref()), ("1 & 2", Some("t<")));
    assert_eq!(ok.children.len(), 2);
    for bad in [
        "<a><b></a></b>",
        "<a>",
        "<a x=1/>",
        "<a x=\"1\" x=\"2\"/>",
        "<a/><b/>",
        "text<a/>",
        "<a>&nbsp;</a>",
        "<a><!-- a -- b --></a>",
    ] {
        assert!(parse_xml(bad).is_err(), "accepted {bad:?}");
    }
}

// ------------------------------------------------------------------------------------------------ identity

#[test]
fn the_icon_is_an_svg_with_png_renditions_of_every_size() {
    let svg = parse_xml_file("assets/chroma-connect.svg");
    assert_eq!(svg.name, "svg");
    assert_eq!(svg.attrs.get("viewBox").map(String::as_str), Some("0 0 512 512"), "a square icon");
    for n in ICON_SIZES {
        let rel = format!("assets/icons/{n}x{n}.png");
        let bytes = fs::read(root().join(&rel)).unwrap_or_else(|e| panic!("{rel}: {e} (run scripts/icons.sh)"));
        assert_eq!(png_size(&bytes, &rel), (n, n), "{rel}");
        assert_eq!(bytes[25], 6, "{rel} is RGBA (colour type 6), with a transparent background");
    }
    let script = read("scripts/icons.sh");
    let sizes = ICON_SIZES.map(|n| n.to_string()).join(" ");
    assert!(script.contains(&format!("SIZES=({sizes})")), "scripts/icons.sh makes the sizes {sizes}");
}

#[test]
fn the_application_id_is_reverse_dns_and_valid_everywhere() {
    let id = app_id();
    let parts: Vec<&str> = id.split('.').collect();
    assert!(parts.len() >= 3, "{id}: reverse DNS with at least three parts");
    for part in &parts {
        assert!(!part.is_empty() && !part.starts_with(|c: char| c.is_ascii_digit()), "{id}: bad part {part:?}");
        // Desktop-file and D-Bus rules; AppStream discourages '-'.
        assert!(part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{id}: part {part:?}");
    }
    assert!(id.len() <= 255);
    assert_eq!(cargo_toml()["package"]["metadata"]["bundle"]["name"].as_str(), Some("Chroma Connect"));
}

// ------------------------------------------------------------------------------------------------ Linux

#[test]
fn the_desktop_entry_names_the_app_its_icon_and_window() {
    let id = app_id();
    let rel = format!("packaging/linux/{id}.desktop");
    let entry = parse_desktop_entry(&read(&rel));
    let main = &entry["Desktop Entry"];
    assert_eq!(main["Type"], "Application");
    assert_eq!(main["Name"], "Chroma Connect");
    assert_eq!(main["Icon"], id, "the icon is named by the application id (hicolor/*/apps/{id}.png)");
    assert_eq!(main["StartupWMClass"], id, "the window's class (eframe's app id) ties the window to the entry");
    assert_eq!(main["Terminal"], "false");
    assert_eq!(main["TryExec"], "chroma-connect");
    assert_eq!(exec_args(&main["Exec"]), ["chroma-connect", "gui"]);
    let actions: Vec<&str> = main["Actions"].split(';').filter(|a| !a.is_empty()).collect();
    assert!(!actions.is_empty(), "an action that opens the last profile's doctor");
    for action in actions {
        let group = entry.get(&format!("Desktop Action {action}")).unwrap_or_else(|| panic!("no group for {action}"));
        assert!(!group["Name"].is_empty());
        assert_eq!(exec_args(&group["Exec"])[0], "chroma-connect");
    }
    if on_path("desktop-file-validate") {
        let out = Command::new("desktop-file-validate").arg(root().join(&rel)).output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && said.trim().is_empty(), "desktop-file-validate {rel}:\n{said}");
    } else {
        eprintln!("desktop-file-validate is not installed: skipped (scripts/package.sh installs it)");
    }
}

/// Every Exec line of the desktop entry is a command line the binary accepts: with no display it gets as far as
/// "cannot open the window" (exit 2) instead of a usage error (also exit 2, from clap).
#[cfg(target_os = "linux")]
#[test]
fn every_exec_of_the_desktop_entry_is_accepted_by_the_binary() {
    let entry = parse_desktop_entry(&read(&format!("packaging/linux/{}.desktop", app_id())));
    let home = tempfile::tempdir().unwrap();
    for (group, keys) in &entry {
        let Some(exec) = keys.get("Exec") else { continue };
        let args = exec_args(exec);
        let out = Command::new(env!("CARGO_BIN_EXE_chroma-connect"))
            .args(&args[1..])
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("CHROMA_CONNECT_HOME", home.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.code() == Some(2) && stderr.contains("cannot open the window"),
            "[{group}] Exec={exec}: expected the app to start (and find no display), got {:?}:\n{stderr}",
            out.status.code()
        );
    }
}

#[test]
fn the_metainfo_describes_the_app_with_the_readme_screenshots() {
    let id = app_id();
    let rel = format!("packaging/linux/{id}.metainfo.xml");
    let component = parse_xml_file(&rel);
    assert_eq!(component.name, "component");
    assert_eq!(component.attrs.get("type").map(String::as_str), Some("desktop-application"));
    assert_eq!(component.text_of("id"), Some(id.clone()));
    assert_eq!(component.text_of("name").as_deref(), Some("Chroma Connect"));
    assert_eq!(component.text_of("project_license"), Some(package_key("license")));
    assert_eq!(component.text_of("metadata_license").as_deref(), Some("CC0-1.0"));
    let launchable = component.child("launchable").expect("a launchable");
    assert_eq!(launchable.attrs.get("type").map(String::as_str), Some("desktop-id"));
    assert_eq!(launchable.text.trim(), format!("{id}.desktop"));
    let homepage = component.all("url").find(|u| u.attrs.get("type").map(String::as_str) == Some("homepage"));
    assert_eq!(homepage.map(|u| u.text.trim().to_owned()), Some(package_key("homepage")));
    let binary = component.child("provides").and_then(|p| p.text_of("binary"));
    assert_eq!(binary.as_deref(), Some("chroma-connect"));
    let release = component.child("releases").and_then(|r| r.child("release")).expect("a release");
    assert_eq!(release.attrs.get("version").map(String::as_str), Some(version()), "the newest release is Cargo's");

    // The README's pictures, in its order: every one is a screenshot of the metainfo, by its raw URL on the homepage.
    let readme = read("README.md");
    let pictures: Vec<&str> = readme
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|p| p.starts_with("docs/"))
        .collect();
    assert_eq!(pictures.first(), Some(&DEFAULT_SCREENSHOT), "the README opens with the editor");
    let shots: Vec<&Element> = component.child("screenshots").expect("screenshots").all("screenshot").collect();
    let shown: Vec<String> = shots.iter().map(|s| s.child("image").unwrap().text.trim().to_owned()).collect();
    let wanted: Vec<String> = pictures.iter().map(|p| raw_url(p)).collect();
    let (mut shown_sorted, mut wanted_sorted) = (shown.clone(), wanted.clone());
    shown_sorted.sort();
    wanted_sorted.sort();
    assert_eq!(shown_sorted, wanted_sorted, "the metainfo's screenshots are the README's pictures");
    assert_eq!(shots[0].attrs.get("type").map(String::as_str), Some("default"));
    assert_eq!(shown[0], raw_url(DEFAULT_SCREENSHOT));
    for shot in &shots {
        let image = shot.child("image").unwrap();
        let url = image.text.trim();
        let path = pictures.iter().find(|p| raw_url(p) == url).unwrap();
        assert!(shot.text_of("caption").is_some_and(|c| !c.is_empty()), "{path} has a caption");
        assert_eq!(image.attrs.get("type").map(String::as_str), Some("source"));
        let (w, h) = png_size(&fs::read(root().join(path)).unwrap(), path);
        assert_eq!(image.attrs.get("width"), Some(&w.to_string()), "{path} width");
        assert_eq!(image.attrs.get("height"), Some(&h.to_string()), "{path} height");
    }
    if on_path("appstreamcli") {
        let out = Command::new("appstreamcli").args(["validate", "--no-net"]).arg(root().join(&rel)).output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "appstreamcli validate --no-net {rel}:\n{said}");
        assert!(!said.contains("\nE: ") && !said.contains("\nW: "), "appstreamcli errors or warnings:\n{said}");
    } else {
        eprintln!("appstreamcli is not installed: skipped (scripts/package.sh installs it)");
    }
}

#[test]
fn the_deb_metadata_installs_every_file_where_a_desktop_expects_it() {
    let id = app_id();
    let toml = cargo_toml();
    let deb = &toml["package"]["metadata"]["deb"];
    let assets: Vec<(String, String)> = deb["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a[0].as_str().unwrap().to_owned(), a[1].as_str().unwrap().to_owned()))
        .collect();
    let mut expected = vec![
        ("target/release/chroma-connect".to_owned(), "usr/bin/".to_owned()),
        (format!("packaging/linux/{id}.desktop"), "usr/share/applications/".to_owned()),
        (format!("packaging/linux/{id}.metainfo.xml"), "usr/share/metainfo/".to_owned()),
        ("assets/chroma-connect.svg".to_owned(), format!("usr/share/icons/hicolor/scalable/apps/{id}.svg")),
    ];
    expected.extend(
        ICON_SIZES
            .map(|n| (format!("assets/icons/{n}x{n}.png"), format!("usr/share/icons/hicolor/{n}x{n}/apps/{id}.png"))),
    );
    for pair in &expected {
        assert!(assets.contains(pair), "[package.metadata.deb] assets has no {pair:?}");
    }
    // The man pages are made by scripts/package.sh (examples/manpages.rs) before cargo deb runs.
    let man = ("packaging/linux/man/*.1.gz".to_owned(), "usr/share/man/man1/".to_owned());
    assert!(assets.contains(&man), "[package.metadata.deb] assets has no man pages");
    assert!(read("scripts/package.sh").contains("--example manpages -- \"$man\""), "package.sh makes them");
    assert!(read(".gitignore").lines().any(|l| l == "packaging/linux/man/"), "generated, not committed");
    for (source, _) in &assets {
        let built = source.starts_with("target/") || *source == man.0;
        assert!(built || root().join(source).is_file(), "asset {source} does not exist");
    }
    let depends = deb["depends"].as_str().unwrap();
    for lib in ["$auto", "libx11-6", "libxkbcommon-x11-0", "libwayland-client0", "libegl1", "libgl1", "libdbus-1-3"] {
        assert!(depends.split(',').any(|d| d.trim() == lib), "Depends lacks {lib}: {depends}");
    }
    assert!(root().join(deb["license-file"][0].as_str().unwrap()).is_file());
}

// ------------------------------------------------------------------------------------------------ macOS, Windows

#[test]
fn the_macos_info_plist_matches_the_package() {
    let plist = plist_dict(&parse_xml_file("packaging/macos/Info.plist"));
    let bundle = &cargo_toml()["package"]["metadata"]["bundle"];
    let apple_id = app_id().replace('_', "-");
    assert_eq!(plist["CFBundleIdentifier"], apple_id, "the application id in Apple's spelling");
    assert!(apple_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'), "Apple's bundle id rules");
    assert_eq!(bundle["identifier"].as_str(), Some(apple_id.as_str()), "cargo-bundle's identifier");
    assert_eq!(plist["CFBundleName"], "Chroma Connect");
    assert_eq!(plist["CFBundleDisplayName"], "Chroma Connect");
    assert_eq!(plist["CFBundleExecutable"], "chroma-connect");
    assert_eq!(plist["CFBundlePackageType"], "APPL");
    assert_eq!(plist["CFBundleInfoDictionaryVersion"], "6.0");
    assert_eq!(plist["CFBundleShortVersionString"], version());
    assert_eq!(plist["CFBundleVersion"], version());
    assert_eq!(plist["NSHighResolutionCapable"], "true");
    assert_eq!(plist["LSApplicationCategoryType"], bundle["category"].as_str().unwrap());
    assert_eq!(plist["LSMinimumSystemVersion"], bundle["osx_minimum_system_version"].as_str().unwrap());

    let icns = fs::read(root().join("packaging/macos").join(&plist["CFBundleIconFile"])).unwrap();
    assert_eq!(&icns[..4], b"icns");
    assert_eq!(u32::from_be_bytes(icns[4..8].try_into().unwrap()) as usize, icns.len(), "icns length field");
    let mut types = Vec::new();
    let mut at = 8;
    while at + 8 <= icns.len() {
        let len = u32::from_be_bytes(icns[at + 4..at + 8].try_into().unwrap()) as usize;
        assert!(len >= 8 && at + len <= icns.len(), "icns element at {at} is cut short");
        types.push(String::from_utf8_lossy(&icns[at..at + 4]).into_owned());
        at += len;
    }
    assert_eq!(at, icns.len());
    for wanted in ["is32", "il32", "it32", "ic08", "ic09"] {
        assert!(types.iter().any(|t| t == wanted), "icns lacks {wanted} (has {types:?})");
    }
    for icon in bundle["icon"].as_array().unwrap() {
        assert!(root().join(icon.as_str().unwrap()).is_file(), "bundle icon {icon} missing");
    }
}

#[test]
fn the_windows_start_menu_binary_opens_no_console() {
    // Windows shows a console window for a console program even when a launcher starts it: the app the Start menu
    // starts is `chroma-connect-gui`, a GUI program in release builds, while `chroma-connect` stays a console
    // program so that its subcommands print in the terminal.
    let manifest = cargo_toml();
    let bins = manifest["bin"].as_array().expect("[[bin]] entries");
    let path_of = |name: &str| -> String {
        let bin = bins.iter().find(|b| b["name"].as_str() == Some(name)).unwrap_or_else(|| panic!("no bin {name}"));
        bin["path"].as_str().unwrap().to_owned()
    };
    let gui = read(&path_of("chroma-connect-gui"));
    let attribute = "#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = \"windows\")]";
    assert!(gui.lines().any(|l| l.trim() == attribute), "chroma-connect-gui lacks {attribute}");
    assert!(gui.contains("app::main("), "chroma-connect-gui opens the app");
    let cli = read(&path_of("chroma-connect"));
    assert!(!cli.contains("windows_subsystem"), "chroma-connect must stay a console program");
    // The Debian package ships the one binary its desktop entry runs.
    let assets = manifest["package"]["metadata"]["deb"]["assets"].as_array().unwrap();
    assert!(assets.iter().any(|a| a[0].as_str() == Some("target/release/chroma-connect")));
}

#[test]
fn the_windows_resources_match_the_package() {
    let rc = read("packaging/windows/chroma-connect.rc");
    // build.rs embeds it in Windows builds, with its Windows-only build dependency.
    let build = read("build.rs");
    assert!(
        build.contains("embed_resource::compile(\"packaging/windows/chroma-connect.rc\""),
        "build.rs embeds the .rc"
    );
    let manifest = cargo_toml();
    let windows_build = &manifest["target"]["cfg(windows)"]["build-dependencies"];
    assert!(windows_build.get("embed-resource").is_some(), "embed-resource is a Windows build dependency");
    let quoted_after = |prefix: &str| -> String {
        let line = rc.lines().find(|l| l.trim_start().starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix}"));
        line.split('"').nth(1).unwrap().to_owned()
    };
    let value_of = |name: &str| -> String {
        let line = rc.lines().find(|l| l.contains(&format!("VALUE \"{name}\""))).unwrap_or_else(|| panic!("{name}"));
        line.split('"').nth(3).unwrap().to_owned()
    };
    let mut parts: Vec<&str> = version().split(['.', '-', '+']).take(3).collect();
    parts.push("0");
    let commas = parts.join(",");
    assert!(rc.contains(&format!("FILEVERSION {commas}\n")), "FILEVERSION {commas}");
    assert!(rc.contains(&format!("PRODUCTVERSION {commas}\n")), "PRODUCTVERSION {commas}");
    assert_eq!(value_of("FileVersion"), version());
    assert_eq!(value_of("ProductVersion"), version());
    assert_eq!(value_of("ProductName"), "Chroma Connect");
    assert_eq!(value_of("OriginalFilename"), "chroma-connect.exe");

    let ico_rel = quoted_after("1 ICON");
    let ico = fs::read(root().join("packaging/windows").join(&ico_rel)).unwrap();
    let entries = ico_entries(&ico);
    let sizes: Vec<u32> = entries.iter().map(|(w, _, _)| *w).collect();
    assert_eq!(sizes, ICO_SIZES, "the .ico's sizes");
    for (w, h, data) in &entries {
        assert_eq!(w, h);
        if data.starts_with(b"\x89PNG") {
            assert_eq!(png_size(data, "ico entry"), (*w, *h));
        } else {
            // A BITMAPINFOHEADER: width, then twice the height (image and mask), 32 bits per pixel.
            let le32 = |i: usize| u32::from_le_bytes(data[i..i + 4].try_into().unwrap());
            assert_eq!((le32(0), le32(4), le32(8)), (40, *w, 2 * *h), "BMP entry header of {w}px");
        }
    }
    assert!(entries.iter().any(|(w, _, d)| *w == 256 && d.starts_with(b"\x89PNG")), "256 px as PNG");

    let manifest_rel = quoted_after("1 24");
    let manifest = parse_xml_file(&format!("packaging/windows/{manifest_rel}"));
    assert_eq!(manifest.name, "assembly");
    let identity = manifest.child("assemblyIdentity").unwrap();
    assert_eq!(identity.attrs["version"], parts.join("."), "the manifest's assembly version");
    let settings = manifest.child("application").and_then(|a| a.child("windowsSettings")).unwrap();
    assert_eq!(settings.text_of("dpiAwareness").as_deref(), Some("PerMonitorV2"));
    assert_eq!(settings.text_of("activeCodePage").as_deref(), Some("UTF-8"));
}

// ------------------------------------------------------------------------------------------------ the .deb

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn deb_package_installs_where_a_desktop_expects() {
    if std::env::var(SKIP_PACKAGE_ENV).is_ok_and(|v| v == "1") {
        eprintln!("{SKIP_PACKAGE_ENV}=1: the .deb is not built");
        return;
    }
    let id = app_id();
    let started = Instant::now();
    let mut package = Command::new(root().join("scripts/package.sh"));
    if !std::env::var(PACKAGE_RELEASE_ENV).is_ok_and(|v| v == "1") {
        package.args(["--profile", "dev", "--fast"]);
    }
    if let Some(dir) = std::env::var_os(PACKAGE_TARGET_ENV).filter(|d| !d.is_empty()) {
        package.env("CARGO_TARGET_DIR", dir);
    }
    let out = package.stderr(Stdio::inherit()).output().unwrap();
    assert!(out.status.success(), "scripts/package.sh failed");
    let deb = PathBuf::from(String::from_utf8(out.stdout).unwrap().lines().last().expect("the .deb's path").trim());
    eprintln!("scripts/package.sh took {:.0?}: {}", started.elapsed(), deb.display());

    // The control fields.
    let field = |name: &str| run(Command::new("dpkg-deb").arg("--field").arg(&deb).arg(name)).trim().to_owned();
    assert_eq!(field("Package"), "chroma-connect");
    assert_eq!(field("Version"), format!("{}-1", version()));
    let depends = field("Depends");
    for lib in ["libc6", "libx11-6", "libxkbcommon-x11-0", "libwayland-client0", "libegl1", "libgl1", "libdbus-1-3"] {
        assert!(depends.split(", ").any(|d| d.split(' ').next() == Some(lib)), "Depends lacks {lib}: {depends}");
    }

    // The contents: path → (mode, size).
    let listing = run(Command::new("dpkg-deb").arg("--contents").arg(&deb));
    let files: BTreeMap<String, (String, u64)> = listing
        .lines()
        .map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            (cols[5].trim_start_matches("./").to_owned(), (cols[0].to_owned(), cols[2].parse().unwrap()))
        })
        .collect();
    let mut expected: Vec<String> = vec![
        "usr/bin/chroma-connect".into(),
        format!("usr/share/applications/{id}.desktop"),
        format!("usr/share/metainfo/{id}.metainfo.xml"),
        format!("usr/share/icons/hicolor/scalable/apps/{id}.svg"),
        "usr/share/doc/chroma-connect/copyright".into(),
        "usr/share/man/man1/chroma-connect.1.gz".into(),
        "usr/share/man/man1/chroma-connect-check.1.gz".into(),
        "usr/share/man/man1/chroma-connect-profiles-expiry.1.gz".into(),
    ];
    expected.extend(ICON_SIZES.map(|n| format!("usr/share/icons/hicolor/{n}x{n}/apps/{id}.png")));
    for path in &expected {
        assert!(files.contains_key(path), "the .deb has no {path}:\n{listing}");
    }
    assert_eq!(files["usr/bin/chroma-connect"].0, "-rwxr-xr-x");
    for (path, (mode, _)) in &files {
        assert!(path.starts_with("usr/"), "{path} is outside /usr");
        if path != "usr/bin/chroma-connect" && !mode.starts_with('d') {
            assert_eq!(mode, "-rw-r--r--", "{path}");
        }
    }
    let deb_size = fs::metadata(&deb).unwrap().len();
    eprintln!(
        "{}: {} KiB, /usr/bin/chroma-connect {} KiB",
        deb.display(),
        deb_size / 1024,
        files["usr/bin/chroma-connect"].1 / 1024
    );

    // Extracted into a temporary root: the files are the repository's, and the binary runs.
    let root_dir = tempfile::tempdir().unwrap();
    let tree = root_dir.path();
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(tree));
    for (inside, source) in [
        (format!("usr/share/applications/{id}.desktop"), format!("packaging/linux/{id}.desktop")),
        (format!("usr/share/metainfo/{id}.metainfo.xml"), format!("packaging/linux/{id}.metainfo.xml")),
        (format!("usr/share/icons/hicolor/256x256/apps/{id}.png"), "assets/icons/256x256.png".to_owned()),
    ] {
        assert!(
            fs::read(tree.join(&inside)).unwrap() == fs::read(root().join(&source)).unwrap(),
            "{inside} != {source}"
        );
    }
    let binary = tree.join("usr/bin/chroma-connect");
    let version_line = run(Command::new(&binary).arg("--version"));
    assert_eq!(version_line.trim(), format!("chroma-connect {}", version()));
    let help = run(Command::new(&binary).arg("--help"));
    assert!(help.contains("Usage: chroma-connect"), "{help}");

    starts_from_its_desktop_entry(tree, &id);
}

/// Starts the extracted app the way a launcher does (the desktop entry's Exec, `PATH` and `XDG_DATA_DIRS` into the
/// extracted tree) on a private Xvfb screen, and waits for its window: class = the application id (what ties it to
/// the entry and its icon), and the window icon set. Skipped where Xvfb, xdotool or xprop is missing.
#[cfg(target_os = "linux")]
fn starts_from_its_desktop_entry(tree: &Path, id: &str) {
    if let Some(tool) = ["Xvfb", "xdotool", "xprop"].into_iter().find(|t| !on_path(t)) {
        eprintln!("{tool} is not installed: the app is not started from its desktop entry");
        return;
    }
    let entry =
        parse_desktop_entry(&fs::read_to_string(tree.join(format!("usr/share/applications/{id}.desktop"))).unwrap());
    let args = exec_args(&entry["Desktop Entry"]["Exec"]);

    // Xvfb picks a free display and writes its number to stdout (-displayfd 1).
    let mut xvfb = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut number = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(xvfb.stdout.take().unwrap()), &mut number).unwrap();
    let display = format!(":{}", number.trim());
    let home = tempfile::tempdir().unwrap();
    let path = format!("{}:{}", tree.join("usr/bin").display(), std::env::var("PATH").unwrap_or_default());
    let mut app = Command::new(&args[0])
        .args(&args[1..])
        .env("PATH", &path)
        .env("XDG_DATA_DIRS", tree.join("usr/share"))
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env("CHROMA_CONNECT_HOME", home.path())
        .env("XDG_CACHE_HOME", home.path())
        .env("MESA_SHADER_CACHE_DIR", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let deadline = Instant::now() + Duration::from_mins(1);
    let window = loop {
        let found = Command::new("xdotool")
            .args(["search", "--class", &format!("^{}$", id.replace('.', "\\."))])
            .env("DISPLAY", &display)
            .output()
            .unwrap();
        let ids = String::from_utf8_lossy(&found.stdout).into_owned();
        if let Some(window) = ids.lines().next() {
            break Some(window.to_owned());
        }
        if app.try_wait().unwrap().is_some() || Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let props = window.as_ref().map(|w| {
        let out = Command::new("xprop")
            .args(["-id", w, "WM_CLASS", "WM_NAME", "_NET_WM_ICON"])
            .env("DISPLAY", &display)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    });
    let _ = app.kill();
    let app_out = app.wait_with_output().unwrap();
    let _ = xvfb.kill();
    let _ = xvfb.wait();

    let props = props.unwrap_or_else(|| {
        panic!("no window of class {id} appeared within 60 s:\n{}", String::from_utf8_lossy(&app_out.stderr))
    });
    assert!(
        props.contains(&format!("WM_CLASS(STRING) = \"\", \"{id}\"")) || props.contains(&format!("\"{id}\"")),
        "{props}"
    );
    assert!(props.contains("WM_NAME(STRING) = \"Chroma Connect\"") || props.contains("Chroma Connect"), "{props}");
    assert!(
        props.contains("_NET_WM_ICON(CARDINAL) =") || props.contains("Icon ("),
        "the window has no icon (_NET_WM_ICON): {}",
        props.lines().take(3).collect::<Vec<_>>().join("\n")
    );
}
