//! `cargo xtask build-cost`: what depending on this crate costs a user's build.
//!
//! Three binary crates are written to a scratch directory outside the
//! workspace. Each is a workspace of its own (an empty `[workspace]` table) with
//! cargo's default profiles, so none of this workspace's `[profile]` settings
//! reach the measurement; a user's crate does not see them either.
//!
//! - **user**: depends on `threatjammer` by path, default features;
//! - **baseline**: the library's runtime dependencies (the root manifest's
//!   `[features]` and `[dependencies]`, so the same default features) and no
//!   code of its own: what any client with these dependencies costs;
//! - **floor**: the baseline plus the library's `[build-dependencies]` and an
//!   empty `build.rs`: the least build-time generation with progenitor can cost.
//!
//! All three copy the workspace's `Cargo.lock`, so they resolve the same
//! versions. Every build starts from an empty target directory, in the dev
//! profile and then in release; within a run the sides take turns (the order
//! rotates from run to run), so load from elsewhere falls on every side alike.
//! Medians are reported with the range, and the ratio is the median of the
//! ratios of builds of the same run.
//!
//! Where the time goes comes from cargo's `--timings` report: stable cargo
//! writes it only as HTML, with the per-unit durations in its `UNIT_DATA` table
//! (`--timings=json` needs nightly), which gives the time to compile build.rs,
//! to run it, and to compile the library with the generated code. The build
//! script is also run again on its own, out of the parallel build.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Options {
    pub root: PathBuf,
    pub runs: usize,
    pub profiles: Vec<Profile>,
    /// `opt-level` for build dependencies in every side's manifest
    /// (`[profile.*.build-override]`), as a user might set it in theirs.
    pub build_override_opt_level: Option<String>,
    pub json: bool,
    pub keep: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    Dev,
    Release,
}

impl Profile {
    fn name(self) -> &'static str {
        match self {
            Profile::Dev => "dev",
            Profile::Release => "release",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    User,
    Baseline,
    Floor,
}

const SIDES: [Side; 3] = [Side::User, Side::Baseline, Side::Floor];

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::User => "user",
            Side::Baseline => "baseline",
            Side::Floor => "floor",
        }
    }
}

/// The manifest sections of the root `Cargo.toml` a side copies: what decides
/// the runtime dependencies and their features (and, for the floor, the
/// generator's dependencies). Never `[profile.*]`.
fn copied_section(header: &str, build_dependencies: bool) -> bool {
    let name = header
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or("")
        .trim();
    name == "features"
        || name == "dependencies"
        || name.starts_with("dependencies.")
        || (name.starts_with("target.") && name.ends_with(".dependencies"))
        || (build_dependencies && name == "build-dependencies")
}

/// The start of every side's manifest: a package that is its own workspace,
/// plus `[profile.*.build-override]` when one is measured.
fn package_header(side: Side, build_override_opt_level: Option<&str>) -> String {
    let mut out = format!(
        "[package]\nname = \"threatjammer-build-cost-{}\"\nversion = \"0.0.0\"\n\
         edition = \"2021\"\npublish = false\n\n[workspace]\n",
        side.name()
    );
    if let Some(level) = build_override_opt_level {
        // A number unquoted (`3`), a letter quoted (`"s"`), as cargo wants them.
        let level: toml_edit::Value = match level.parse::<i64>() {
            Ok(number) => number.into(),
            Err(_) => level.into(),
        };
        for profile in ["dev", "release"] {
            out.push_str(&format!(
                "\n[profile.{profile}.build-override]\nopt-level = {level}\n"
            ));
        }
    }
    out
}

/// The manifest of `side`. The user's names the checkout at `root` by path;
/// the others copy sections of `root_manifest`.
fn side_manifest(
    side: Side,
    root: &Path,
    root_manifest: &str,
    build_override_opt_level: Option<&str>,
) -> String {
    let mut out = package_header(side, build_override_opt_level);
    if side == Side::User {
        let path = toml_edit::Value::from(root.display().to_string());
        out.push_str(&format!(
            "\n[dependencies]\nthreatjammer = {{ path = {path} }}\n"
        ));
        return out;
    }
    let mut copying = false;
    for line in root_manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            // Array tables (`[[bench]]`) are targets of the crate, never copied.
            copying = !trimmed.starts_with("[[") && copied_section(trimmed, side == Side::Floor);
            if copying {
                out.push('\n');
            }
        }
        if copying {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The side's `main.rs`. The user's makes a client builder, so the binary links
/// some of the library, as any user's does; the others have nothing to link.
fn side_main(side: Side) -> &'static str {
    match side {
        Side::User => "fn main() {\n    let _builder = threatjammer::Client::builder();\n}\n",
        Side::Baseline | Side::Floor => "fn main() {}\n",
    }
}

/// One clean build, measured.
struct Build {
    wall: Duration,
    cpu: Duration,
    /// The one-minute load average when the build ended.
    load: f64,
    units: Vec<Unit>,
    /// The library's compiled build script, when the build has one.
    build_script: Option<PathBuf>,
}

struct Unit {
    /// `name version target`, e.g. `syn 3.0.10` or `threatjammer 0.1.0 build-script (run)`.
    label: String,
    /// Which part of the library's own build this unit is, if it is one.
    own: Option<Own>,
    /// What identifies the same unit in the other build (the label plus its features).
    key: String,
    seconds: f64,
}

/// The parts of the library's own build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Own {
    Library,
    ScriptCompile,
    ScriptRun,
}

pub fn run(options: &Options) -> Result<()> {
    let root = options
        .root
        .canonicalize()
        .with_context(|| format!("{}", options.root.display()))?;
    let scratch =
        std::env::temp_dir().join(format!("threatjammer-build-cost-{}", std::process::id()));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let dir = |side: Side| scratch.join(side.name());
    for side in SIDES {
        let dir = dir(side);
        std::fs::create_dir_all(dir.join("src"))?;
        std::fs::write(
            dir.join("Cargo.toml"),
            side_manifest(
                side,
                &root,
                &manifest,
                options.build_override_opt_level.as_deref(),
            ),
        )?;
        std::fs::write(dir.join("src/main.rs"), side_main(side))?;
        if side == Side::Floor {
            std::fs::write(dir.join("build.rs"), "fn main() {}\n")?;
        }
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
            .context("copying Cargo.lock, so every side uses the same versions")?;
        // Downloads stay out of the measurement.
        let fetched = cargo(&dir).arg("fetch").status().context("cargo fetch")?;
        if !fetched.success() {
            bail!("cargo fetch in {} failed ({fetched})", dir.display());
        }
    }

    if !options.json {
        println!("machine: {}", crate::perf::machine());
        println!(
            "runs: {} of each side per profile; medians, range in parentheses",
            options.runs
        );
        if let Some(level) = &options.build_override_opt_level {
            println!("every side sets [profile.*.build-override] opt-level = {level}");
        }
    }
    let mut reports = Vec::new();
    for &profile in &options.profiles {
        let mut builds: [Vec<Build>; 3] = Default::default();
        let mut alone = None;
        for run in 0..options.runs {
            let mut order = SIDES;
            order.rotate_left(run % SIDES.len());
            for side in order {
                let target =
                    scratch.join(format!("target-{}-{}-{run}", profile.name(), side.name()));
                eprintln!(
                    "build-cost: {} run {}/{}: building the {} crate clean",
                    profile.name(),
                    run + 1,
                    options.runs,
                    side.name()
                );
                let build = clean_build(&dir(side), &target, profile)?;
                eprintln!(
                    "build-cost: {}: {:.1} s wall, {:.1} s CPU, load {:.2}",
                    side.name(),
                    build.wall.as_secs_f64(),
                    build.cpu.as_secs_f64(),
                    build.load
                );
                // Once a profile, while the script is still there.
                if let (Side::User, None, Some(script)) = (side, alone, &build.build_script) {
                    alone = Some(time_build_script(
                        &root,
                        script,
                        &scratch.join("out"),
                        profile,
                    )?);
                }
                if !options.keep {
                    let _ = std::fs::remove_dir_all(&target);
                }
                builds[side as usize].push(build);
            }
        }
        let [user, baseline, floor] = builds;
        let report = ProfileReport::new(profile, &user, &baseline, &floor, alone);
        // Printed as soon as it is known, so a later failure does not lose it.
        if !options.json {
            report.print();
        }
        reports.push(report);
    }
    if options.json {
        let report = json!({
            "machine": crate::perf::machine(),
            "runs": options.runs,
            "build_override_opt_level": options.build_override_opt_level,
            "profiles": reports.iter().map(ProfileReport::json).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    if options.keep {
        eprintln!("build-cost: kept {}", scratch.display());
    } else {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    Ok(())
}

fn cargo(dir: &Path) -> Command {
    let mut command = crate::perf::cargo();
    command.current_dir(dir);
    // Settings inherited from the caller would defeat the clean build or
    // change the profile under measurement.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name == "CARGO_TARGET_DIR"
            || name == "CARGO_BUILD_TARGET_DIR"
            || name.starts_with("CARGO_PROFILE_")
        {
            command.env_remove(name.as_ref());
        }
    }
    command
}

/// Builds the binary crate in `dir` into the empty `target`.
fn clean_build(dir: &Path, target: &Path, profile: Profile) -> Result<Build> {
    let _ = std::fs::remove_dir_all(target);
    let mut command = cargo(dir);
    command
        .args(["build", "--offline", "--timings"])
        .args(["--message-format", "json-render-diagnostics"])
        .arg("--target-dir")
        .arg(target)
        .stdout(Stdio::piped())
        // Compiler errors and progress go to the terminal.
        .stderr(Stdio::inherit());
    if profile == Profile::Release {
        command.arg("--release");
    }
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = command.output().context("running cargo build")?;
    let wall = started.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);
    if !output.status.success() {
        bail!(
            "cargo build in {} failed ({})",
            dir.display(),
            output.status
        );
    }
    let build_script = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|m| {
            m["reason"] == "compiler-artifact"
                && m["target"]["kind"][0] == "custom-build"
                && m["package_id"]
                    .as_str()
                    .is_some_and(|id| id.contains("#threatjammer@"))
        })
        .and_then(|m| m["filenames"][0].as_str().map(PathBuf::from));
    let units = timing_units(&target.join("cargo-timings/cargo-timing.html"))?;
    Ok(Build {
        wall,
        cpu,
        load: load_average(),
        units,
        build_script,
    })
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

/// User + system time of this process's finished children (cargo, and through
/// it every rustc and build script), from `/proc/self/stat`.
fn children_cpu() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the command name, which is in parentheses and may hold spaces.
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            // cutime and cstime are fields 16 and 17 of the whole line (1-based).
            let cutime: u64 = fields.get(13)?.parse().ok()?;
            let cstime: u64 = fields.get(14)?.parse().ok()?;
            Some(cutime + cstime)
        })
        .unwrap_or(0);
    Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second())
}

fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        // The value on every Linux configuration in practice.
        .unwrap_or(100.0)
}

/// The compilation units of a build and how long each took, from the
/// `UNIT_DATA` table cargo embeds in its `--timings` report.
fn timing_units(report: &Path) -> Result<Vec<Unit>> {
    let html = std::fs::read_to_string(report)
        .with_context(|| format!("reading the timings report {}", report.display()))?;
    let marker = "const UNIT_DATA = ";
    let start = html
        .find(marker)
        .context("no UNIT_DATA in the timings report (has cargo changed its format?)")?
        + marker.len();
    let data: Value = serde_json::Deserializer::from_str(&html[start..])
        .into_iter::<Value>()
        .next()
        .context("empty UNIT_DATA")??;
    let units = data
        .as_array()
        .context("UNIT_DATA is not a list")?
        .iter()
        .map(|u| {
            let name = u["name"].as_str().unwrap_or("?");
            let target = u["target"].as_str().unwrap_or("");
            let label = format!("{name} {}{target}", u["version"].as_str().unwrap_or("?"));
            let own = match (name, target) {
                ("threatjammer", "") => Some(Own::Library),
                ("threatjammer", " build-script") => Some(Own::ScriptCompile),
                ("threatjammer", " build-script (run)") => Some(Own::ScriptRun),
                _ => None,
            };
            Unit {
                key: format!("{label} {}", u["features"]),
                label,
                own,
                seconds: u["duration"].as_f64().unwrap_or(0.0),
            }
        })
        .collect();
    Ok(units)
}

/// Runs the compiled build script by hand, three times, with the environment
/// cargo gives it, and returns the median: its cost without the noise of a
/// parallel build.
fn time_build_script(
    root: &Path,
    script: &Path,
    out_dir: &Path,
    profile: Profile,
) -> Result<Duration> {
    std::fs::create_dir_all(out_dir)?;
    let host = rustc_host();
    let (name, opt_level) = match profile {
        Profile::Dev => ("debug", "0"),
        Profile::Release => ("release", "3"),
    };
    let mut times = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let status = Command::new(script)
            .current_dir(root)
            .env("OUT_DIR", out_dir)
            .env("CARGO_MANIFEST_DIR", root)
            .env("CARGO_PKG_NAME", "threatjammer")
            .env("CARGO_FEATURE_DEFAULT", "1")
            .env("CARGO_FEATURE_RUSTLS", "1")
            .env("TARGET", &host)
            .env("HOST", &host)
            .env("PROFILE", name)
            .env("OPT_LEVEL", opt_level)
            .env("DEBUG", (profile == Profile::Dev).to_string())
            .stdout(Stdio::null())
            .status()
            .with_context(|| format!("running {}", script.display()))?;
        times.push(started.elapsed());
        if !status.success() {
            bail!("{} failed ({status})", script.display());
        }
    }
    times.sort();
    Ok(times[1])
}

fn rustc_host() -> String {
    Command::new("rustc")
        .arg("-vV")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        })
        .unwrap_or_default()
}

/// The median and the range of some measurements.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Spread {
    median: f64,
    min: f64,
    max: f64,
}

impl Spread {
    fn of(values: impl IntoIterator<Item = f64>) -> Spread {
        let mut values: Vec<f64> = values.into_iter().collect();
        values.sort_by(f64::total_cmp);
        let n = values.len();
        if n == 0 {
            return Spread {
                median: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
            };
        }
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        Spread {
            median,
            min: values[0],
            max: values[n - 1],
        }
    }

    fn json(self) -> Value {
        json!({"median": self.median, "min": self.min, "max": self.max})
    }

    /// `12.3 s (11.9–13.0)`, or a ratio with `×`.
    fn text(self, unit: &str, digits: usize) -> String {
        if self.min == self.max {
            return format!("{:.digits$}{unit}", self.median);
        }
        format!(
            "{:.digits$}{unit} ({:.digits$}–{:.digits$})",
            self.median, self.min, self.max
        )
    }
}

struct SideFigures {
    wall: Spread,
    cpu: Spread,
}

impl SideFigures {
    fn of(builds: &[Build]) -> SideFigures {
        SideFigures {
            wall: Spread::of(builds.iter().map(|b| b.wall.as_secs_f64())),
            cpu: Spread::of(builds.iter().map(|b| b.cpu.as_secs_f64())),
        }
    }
}

struct ProfileReport {
    profile: Profile,
    user: SideFigures,
    baseline: SideFigures,
    floor: SideFigures,
    /// Per run: user ÷ baseline and floor ÷ baseline, wall and CPU.
    user_wall_ratio: Spread,
    user_cpu_ratio: Spread,
    floor_wall_ratio: Spread,
    floor_cpu_ratio: Spread,
    script_compile: Spread,
    script_run: Spread,
    script_alone: Option<f64>,
    library: Spread,
    load: Spread,
    baseline_unit_seconds: f64,
    extra: Vec<(String, f64)>,
}

impl ProfileReport {
    fn new(
        profile: Profile,
        user: &[Build],
        baseline: &[Build],
        floor: &[Build],
        alone: Option<Duration>,
    ) -> ProfileReport {
        let ratio = |a: &[Build], b: &[Build], f: fn(&Build) -> Duration| {
            Spread::of(
                a.iter()
                    .zip(b)
                    .map(|(a, b)| f(a).as_secs_f64() / f(b).as_secs_f64()),
            )
        };
        let own = |part: Own| {
            Spread::of(user.iter().map(|b| {
                b.units
                    .iter()
                    .filter(|u| u.own == Some(part))
                    .map(|u| u.seconds)
                    .sum()
            }))
        };
        // What the user side compiles that the baseline does not, in its median
        // build: units alike in crate, version, target and features cancel out.
        let median_build = |builds: &[Build]| -> Option<usize> {
            let mut order: Vec<usize> = (0..builds.len()).collect();
            order.sort_by_key(|&i| builds[i].wall);
            order.get(order.len() / 2).copied()
        };
        let mut extra: Vec<(String, f64)> = Vec::new();
        let mut baseline_unit_seconds = 0.0;
        if let (Some(u), Some(b)) = (median_build(user), median_build(baseline)) {
            let mut in_baseline: HashMap<&str, usize> = HashMap::new();
            for unit in &baseline[b].units {
                *in_baseline.entry(&unit.key).or_default() += 1;
                baseline_unit_seconds += unit.seconds;
            }
            for unit in &user[u].units {
                match in_baseline.get_mut(unit.key.as_str()) {
                    Some(n) if *n > 0 => *n -= 1,
                    _ => extra.push((unit.label.clone(), unit.seconds)),
                }
            }
        }
        extra.sort_by(|a, b| b.1.total_cmp(&a.1));
        let all = user.iter().chain(baseline).chain(floor);
        ProfileReport {
            profile,
            user: SideFigures::of(user),
            baseline: SideFigures::of(baseline),
            floor: SideFigures::of(floor),
            user_wall_ratio: ratio(user, baseline, |b| b.wall),
            user_cpu_ratio: ratio(user, baseline, |b| b.cpu),
            floor_wall_ratio: ratio(floor, baseline, |b| b.wall),
            floor_cpu_ratio: ratio(floor, baseline, |b| b.cpu),
            script_compile: own(Own::ScriptCompile),
            script_run: own(Own::ScriptRun),
            script_alone: alone.map(|d| d.as_secs_f64()),
            library: own(Own::Library),
            load: Spread::of(all.map(|b| b.load)),
            baseline_unit_seconds,
            extra,
        }
    }

    fn json(&self) -> Value {
        let side =
            |s: &SideFigures| json!({"wall_seconds": s.wall.json(), "cpu_seconds": s.cpu.json()});
        json!({
            "profile": self.profile.name(),
            "user": side(&self.user),
            "baseline": side(&self.baseline),
            "floor": side(&self.floor),
            "user_over_baseline": {"wall": self.user_wall_ratio.json(), "cpu": self.user_cpu_ratio.json()},
            "floor_over_baseline": {"wall": self.floor_wall_ratio.json(), "cpu": self.floor_cpu_ratio.json()},
            "build_rs_seconds": {
                "compile": self.script_compile.json(),
                "run_in_build": self.script_run.json(),
                "run_alone": self.script_alone,
            },
            "library_compile_seconds": self.library.json(),
            "load_average_1min": self.load.json(),
            "baseline_unit_seconds": self.baseline_unit_seconds,
            "extra_units": self.extra.iter().map(|(l, s)| json!({"unit": l, "seconds": s})).collect::<Vec<_>>(),
        })
    }

    fn print(&self) {
        let seconds = |s: Spread| s.text(" s", 1);
        let times = |s: Spread| s.text("×", 2);
        println!("\n### {} profile\n", self.profile.name());
        println!("| side | wall | CPU | ÷ baseline, wall | ÷ baseline, CPU |");
        println!("|---|---|---|---|---|");
        println!(
            "| user: depends on threatjammer | {} | {} | **{}** | {} |",
            seconds(self.user.wall),
            seconds(self.user.cpu),
            times(self.user_wall_ratio),
            times(self.user_cpu_ratio)
        );
        println!(
            "| baseline: the runtime dependencies | {} | {} | | |",
            seconds(self.baseline.wall),
            seconds(self.baseline.cpu)
        );
        println!(
            "| floor: baseline + build-dependencies, empty build.rs | {} | {} | {} | {} |",
            seconds(self.floor.wall),
            seconds(self.floor.cpu),
            times(self.floor_wall_ratio),
            times(self.floor_cpu_ratio)
        );
        let alone = self
            .script_alone
            .map_or("-".to_string(), |s| format!("{s:.2} s"));
        println!(
            "\nbuild.rs: compile {}, run {} in the build, {alone} run alone; \
             the library (with the generated code) {}",
            self.script_compile.text(" s", 1),
            self.script_run.text(" s", 2),
            self.library.text(" s", 1)
        );
        println!(
            "load average (1 min) at the end of the builds: {}",
            self.load.text("", 2)
        );
        let total: f64 = self.extra.iter().map(|(_, s)| s).sum();
        println!(
            "\nunits only the user side builds (its median build): {total:.1} unit-s over \
             the baseline's {:.1} unit-s (unit-s: compile time of one unit; they overlap \
             on several cores)",
            self.baseline_unit_seconds
        );
        for (label, seconds) in self.extra.iter().take(15) {
            println!("  {seconds:6.2} s  {label}");
        }
        if self.extra.len() > 15 {
            let rest: f64 = self.extra[15..].iter().map(|(_, s)| s).sum();
            println!("  {rest:6.2} s  ({} more)", self.extra.len() - 15);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "[package]\nname = \"threatjammer\"\n\n[features]\nmock = []\n\n\
        [dependencies]\nserde = \"1\"\n\n[build-dependencies]\nprogenitor-impl = \"0.15\"\n\n\
        [[bench]]\nname = \"client\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n";

    fn manifest(side: Side, opt_level: Option<&str>) -> toml_edit::DocumentMut {
        side_manifest(side, Path::new("/src/threatjammer"), ROOT, opt_level)
            .parse()
            .expect("the manifest is TOML")
    }

    #[test]
    fn every_side_is_its_own_workspace_with_default_profiles() {
        for side in SIDES {
            let doc = manifest(side, None);
            assert!(doc["workspace"].is_table(), "{}", doc);
            assert!(doc.get("profile").is_none(), "{}", doc);
            assert!(doc.get("bench").is_none(), "{}", doc);
            assert_eq!(
                doc["package"]["name"].as_str(),
                Some(format!("threatjammer-build-cost-{}", side.name()).as_str())
            );
        }
    }

    #[test]
    fn the_user_depends_on_the_checkout_and_nothing_else() {
        let doc = manifest(Side::User, None);
        let dependencies = doc["dependencies"].as_table_like().unwrap();
        assert_eq!(dependencies.len(), 1);
        assert_eq!(
            doc["dependencies"]["threatjammer"]["path"].as_str(),
            Some("/src/threatjammer")
        );
        assert!(doc.get("features").is_none());
        assert!(doc.get("build-dependencies").is_none());
    }

    #[test]
    fn the_baseline_takes_the_runtime_side_and_the_floor_adds_the_generator() {
        let (baseline, floor) = (manifest(Side::Baseline, None), manifest(Side::Floor, None));
        for doc in [&baseline, &floor] {
            assert_eq!(doc["dependencies"]["serde"].as_str(), Some("1"));
            assert!(doc["features"]["mock"].is_array());
        }
        assert!(baseline.get("build-dependencies").is_none());
        assert_eq!(
            floor["build-dependencies"]["progenitor-impl"].as_str(),
            Some("0.15")
        );
    }

    #[test]
    fn a_build_override_goes_to_every_side_and_both_profiles() {
        for side in SIDES {
            let doc = manifest(side, Some("3"));
            for profile in ["dev", "release"] {
                assert_eq!(
                    doc["profile"][profile]["build-override"]["opt-level"].as_integer(),
                    Some(3),
                    "{doc}"
                );
            }
        }
        let doc = manifest(Side::User, Some("s"));
        assert_eq!(
            doc["profile"]["dev"]["build-override"]["opt-level"].as_str(),
            Some("s")
        );
    }

    #[test]
    fn spreads_take_the_middle_and_the_range() {
        let odd = Spread::of([3.0, 1.0, 2.0]);
        assert_eq!((odd.median, odd.min, odd.max), (2.0, 1.0, 3.0));
        let even = Spread::of([4.0, 1.0, 2.0, 3.0]);
        assert_eq!((even.median, even.min, even.max), (2.5, 1.0, 4.0));
        assert_eq!(Spread::of([1.04]).text(" s", 1), "1.0 s");
        assert_eq!(even.text("×", 2), "2.50× (1.00–4.00)");
    }
}
