//! `cargo xtask build-cost`: what build-time generation costs.
//!
//! Builds the crate from clean, and a baseline crate with the same runtime
//! dependencies (the root manifest's `[features]`, `[dependencies]` and
//! `[profile]` sections and its `Cargo.lock`) and an empty library, one after
//! the other, each in a fresh target directory. Prints the ratio of the two,
//! the time spent in `build.rs` (compiling it, running it within the build, and
//! running it again on its own), and the compilation units only the crate
//! needs, largest first: that is where the extra time goes.
//!
//! A third build, the floor, adds the crate's `[build-dependencies]` and an
//! empty `build.rs` to the baseline: what compiling the generator's own
//! dependencies costs before anything is generated, the least any build-time
//! generation with them can cost.
//!
//! Wall time on a shared machine is noisy, so the CPU time of each build (user
//! and system time of cargo and of every compiler it ran) is reported beside
//! it, and with `--runs N` the order alternates and the fastest build of each
//! side is compared.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Options {
    pub root: PathBuf,
    pub runs: usize,
    pub json: bool,
    pub keep: bool,
}

/// The manifest sections the baseline copies: everything that decides what the
/// runtime dependencies are and how they are compiled.
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
        || name.starts_with("profile.")
        || (name.starts_with("target.") && name.ends_with(".dependencies"))
        || (build_dependencies && name == "build-dependencies")
}

/// The manifest of the baseline (`build_dependencies` false) or of the floor.
fn side_manifest(root_manifest: &str, name: &str, build_dependencies: bool) -> String {
    let mut out = format!(
        "[package]\nname = \"threatjammer-build-cost-{name}\"\nversion = \"0.0.0\"\n\
         edition = \"2021\"\npublish = false\n\n[workspace]\n"
    );
    let mut copying = false;
    for line in root_manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            // Array tables (`[[bench]]`) are targets of the crate, never copied.
            copying = !trimmed.starts_with("[[") && copied_section(trimmed, build_dependencies);
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

/// One clean build, measured.
struct Build {
    wall: Duration,
    cpu: Duration,
    units: Vec<Unit>,
    /// The crate's compiled build script, when the build has one.
    build_script: Option<PathBuf>,
}

struct Unit {
    /// `name version target`, e.g. `syn 3.0.10` or `threatjammer 0.1.0 build-script (run)`.
    label: String,
    /// Which part of the crate itself this unit is, if it is one.
    own: Option<Own>,
    /// What identifies the same unit in the other build (the label plus its features).
    key: String,
    seconds: f64,
}

pub fn run(options: &Options) -> Result<()> {
    let root = &options.root;
    let scratch =
        std::env::temp_dir().join(format!("threatjammer-build-cost-{}", std::process::id()));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let baseline = scratch.join("baseline");
    let floor = scratch.join("floor");
    for (dir, name, build_dependencies) in [(&baseline, "baseline", false), (&floor, "floor", true)]
    {
        std::fs::create_dir_all(dir.join("src"))?;
        std::fs::write(
            dir.join("Cargo.toml"),
            side_manifest(&manifest, name, build_dependencies),
        )?;
        std::fs::write(
            dir.join("src/lib.rs"),
            format!("//! Build-cost {name}: nothing generated.\n"),
        )?;
        if build_dependencies {
            std::fs::write(dir.join("build.rs"), "fn main() {}\n")?;
        }
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
            .context("copying Cargo.lock, so every build uses the same versions")?;
    }
    for dir in [root.as_path(), baseline.as_path(), floor.as_path()] {
        // Downloads stay out of the measurement.
        cargo(dir)
            .arg("fetch")
            .status()
            .context("cargo fetch")?
            .success()
            .then_some(())
            .context("cargo fetch failed")?;
    }

    let mut crate_builds = Vec::new();
    let mut baseline_builds = Vec::new();
    let mut floor_builds = Vec::new();
    for run in 0..options.runs {
        // Rotate the order so that a burst of load elsewhere does not always hit the same side.
        let mut sides = [Side::Crate, Side::Baseline, Side::Floor];
        sides.rotate_left(run % 3);
        for side in sides {
            let (dir, name) = match side {
                Side::Crate => (root.as_path(), "crate"),
                Side::Baseline => (baseline.as_path(), "baseline"),
                Side::Floor => (floor.as_path(), "floor"),
            };
            let target = scratch.join(format!("target-{name}-{run}"));
            eprintln!(
                "build-cost: run {}/{}: building the {name} clean",
                run + 1,
                options.runs
            );
            let build = clean_build(dir, &target, side == Side::Crate)?;
            eprintln!(
                "build-cost: {name}: {:.1} s wall, {:.1} s CPU",
                build.wall.as_secs_f64(),
                build.cpu.as_secs_f64()
            );
            if side == Side::Crate {
                crate_builds.push((build, target));
                continue;
            }
            if side == Side::Baseline {
                baseline_builds.push(build);
            } else {
                floor_builds.push(build);
            }
            if !options.keep {
                let _ = std::fs::remove_dir_all(&target);
            }
        }
    }

    let (last_crate, last_target) = crate_builds.last().context("no runs")?;
    let isolated = match &last_crate.build_script {
        Some(script) => Some(time_build_script(root, script, &scratch.join("out"))?),
        None => None,
    };
    let report = Report::new(
        &crate_builds.iter().map(|(b, _)| b).collect::<Vec<_>>(),
        &baseline_builds.iter().collect::<Vec<_>>(),
        &floor_builds.iter().collect::<Vec<_>>(),
        isolated,
    );
    if options.json {
        println!("{}", serde_json::to_string_pretty(&report.json())?);
    } else {
        report.print();
    }
    if options.keep {
        eprintln!("build-cost: kept {}", scratch.display());
    } else {
        let _ = std::fs::remove_dir_all(last_target);
        let _ = std::fs::remove_dir_all(&scratch);
    }
    Ok(())
}

fn cargo(dir: &Path) -> Command {
    let mut command = crate::perf::cargo();
    command.current_dir(dir);
    // A target directory inherited from the caller would defeat the clean build.
    command.env_remove("CARGO_TARGET_DIR");
    command
}

/// Builds the library of the package in `dir` into the empty `target`.
fn clean_build(dir: &Path, target: &Path, is_crate: bool) -> Result<Build> {
    let _ = std::fs::remove_dir_all(target);
    let mut command = cargo(dir);
    command
        .args(["build", "--offline", "--lib", "--timings"])
        .args(["--message-format", "json-render-diagnostics"])
        .arg("--target-dir")
        .arg(target)
        .stdout(Stdio::piped())
        // Compiler errors and progress go to the terminal.
        .stderr(Stdio::inherit());
    if is_crate {
        command.args(["--package", "threatjammer"]);
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
        units,
        build_script,
    })
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
/// `UNIT_DATA` table cargo embeds in its `--timings` report (the only per-unit
/// timing stable cargo writes).
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
fn time_build_script(root: &Path, script: &Path, out_dir: &Path) -> Result<Duration> {
    std::fs::create_dir_all(out_dir)?;
    let host = rustc_host();
    let mut times = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let status = Command::new(script)
            .current_dir(root)
            .env("OUT_DIR", out_dir)
            .env("CARGO_MANIFEST_DIR", root)
            .env("CARGO_PKG_NAME", "threatjammer")
            .env("TARGET", &host)
            .env("HOST", &host)
            .env("PROFILE", "debug")
            .env("OPT_LEVEL", "0")
            .env("DEBUG", "false")
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

struct Report {
    runs: usize,
    crate_wall: f64,
    baseline_wall: f64,
    crate_cpu: f64,
    baseline_cpu: f64,
    floor_wall: f64,
    floor_cpu: f64,
    script_compile: f64,
    script_run: f64,
    script_isolated: Option<f64>,
    library: f64,
    baseline_unit_seconds: f64,
    extra: Vec<(String, f64)>,
}

/// The least of several measurements: load from elsewhere only ever adds time,
/// so the fastest run is the one closest to the build's own cost.
fn best(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(f64::INFINITY, f64::min)
}

impl Report {
    fn new(
        crates: &[&Build],
        baselines: &[&Build],
        floors: &[&Build],
        isolated: Option<Duration>,
    ) -> Report {
        let wall = |b: &[&Build]| best(b.iter().map(|b| b.wall.as_secs_f64()));
        let cpu = |b: &[&Build]| best(b.iter().map(|b| b.cpu.as_secs_f64()));
        let fastest = |b: &[&Build]| -> usize {
            (0..b.len())
                .min_by(|&i, &j| b[i].wall.cmp(&b[j].wall))
                .unwrap_or(0)
        };
        let quickest = crates[fastest(crates)];
        let own = |part: Own| {
            best(crates.iter().map(|b| {
                b.units
                    .iter()
                    .filter(|u| u.own == Some(part))
                    .map(|u| u.seconds)
                    .sum()
            }))
        };
        // Units the baseline builds too (same crate, version, target and features) are not extra.
        let mut in_baseline: HashMap<&str, usize> = HashMap::new();
        let base = baselines[fastest(baselines)];
        for u in &base.units {
            *in_baseline.entry(&u.key).or_default() += 1;
        }
        let mut extra: Vec<(String, f64)> = Vec::new();
        for u in &quickest.units {
            match in_baseline.get_mut(u.key.as_str()) {
                Some(n) if *n > 0 => *n -= 1,
                _ => extra.push((u.label.clone(), u.seconds)),
            }
        }
        extra.sort_by(|a, b| b.1.total_cmp(&a.1));
        Report {
            runs: crates.len(),
            crate_wall: wall(crates),
            baseline_wall: wall(baselines),
            crate_cpu: cpu(crates),
            baseline_cpu: cpu(baselines),
            floor_wall: wall(floors),
            floor_cpu: cpu(floors),
            script_compile: own(Own::ScriptCompile),
            script_run: own(Own::ScriptRun),
            script_isolated: isolated.map(|d| d.as_secs_f64()),
            library: own(Own::Library),
            baseline_unit_seconds: base.units.iter().map(|u| u.seconds).sum(),
            extra,
        }
    }

    fn json(&self) -> Value {
        json!({
            "machine": crate::perf::machine(),
            "runs": self.runs,
            "wall_seconds": {"crate": self.crate_wall, "baseline": self.baseline_wall, "ratio": self.crate_wall / self.baseline_wall},
            "cpu_seconds": {"crate": self.crate_cpu, "baseline": self.baseline_cpu, "ratio": self.crate_cpu / self.baseline_cpu},
            "floor": {
                "what": "the baseline plus the crate's build-dependencies and an empty build.rs",
                "wall_seconds": self.floor_wall,
                "cpu_seconds": self.floor_cpu,
                "wall_ratio": self.floor_wall / self.baseline_wall,
                "cpu_ratio": self.floor_cpu / self.baseline_cpu,
            },
            "target_ratio": TARGET,
            "build_rs_seconds": {"compile": self.script_compile, "run_in_build": self.script_run, "run_alone": self.script_isolated},
            "library_compile_seconds": self.library,
            "baseline_unit_seconds": self.baseline_unit_seconds,
            "extra_units": self.extra.iter().map(|(l, s)| json!({"unit": l, "seconds": s})).collect::<Vec<_>>(),
        })
    }

    fn print(&self) {
        let ratio = self.crate_wall / self.baseline_wall;
        println!("machine: {}", crate::perf::machine());
        println!("runs: {} (the fastest of each side)", self.runs);
        println!("| build | wall | CPU |");
        println!("|---|---|---|");
        println!(
            "| crate (clean) | {:.1} s | {:.1} s |",
            self.crate_wall, self.crate_cpu
        );
        println!(
            "| baseline (clean) | {:.1} s | {:.1} s |",
            self.baseline_wall, self.baseline_cpu
        );
        println!(
            "| ratio | **{ratio:.2}×** (target ≤ {TARGET}×: {}) | {:.2}× |",
            if ratio <= TARGET { "met" } else { "MISSED" },
            self.crate_cpu / self.baseline_cpu
        );
        println!(
            "| floor: baseline + build-dependencies, empty build.rs | {:.1} s ({:.2}×) | {:.1} s ({:.2}×) |",
            self.floor_wall,
            self.floor_wall / self.baseline_wall,
            self.floor_cpu,
            self.floor_cpu / self.baseline_cpu
        );
        println!();
        let alone = self
            .script_isolated
            .map_or("-".to_string(), |s| format!("{s:.2} s"));
        println!(
            "build.rs: compile {:.1} s, run {:.2} s in the build, {alone} run alone; library (with the generated code) {:.1} s",
            self.script_compile, self.script_run, self.library
        );
        let total: f64 = self.extra.iter().map(|(_, s)| s).sum();
        println!(
            "\nunits only the crate builds: {total:.1} unit-s over the baseline's {:.1} unit-s (unit-s: compile time of one unit; they overlap on several cores)",
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Crate,
    Baseline,
    Floor,
}

/// The parts of the crate's own build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Own {
    Library,
    ScriptCompile,
    ScriptRun,
}

/// The least acceptable crate/baseline ratio.
const TARGET: f64 = 1.15;

#[cfg(test)]
mod tests {
    use super::side_manifest;

    const ROOT: &str = "[package]\nname = \"threatjammer\"\n\n[features]\nmock = []\n\n\
        [dependencies]\nserde = \"1\"\n\n[build-dependencies]\nprogenitor-impl = \"0.15\"\n\n\
        [[bench]]\nname = \"client\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n";

    #[test]
    fn the_baseline_takes_the_runtime_side_and_the_floor_adds_the_generator() {
        let baseline = side_manifest(ROOT, "baseline", false);
        let floor = side_manifest(ROOT, "floor", true);
        for side in [&baseline, &floor] {
            assert!(side.contains("serde = \"1\""));
            assert!(side.contains("mock = []"));
            assert!(side.contains("debug = false"));
            assert!(!side.contains("[[bench]]"));
            assert!(!side.contains("name = \"threatjammer\""));
        }
        assert!(!baseline.contains("progenitor-impl"));
        assert!(floor.contains("[build-dependencies]\nprogenitor-impl = \"0.15\""));
        assert!(floor.contains("name = \"threatjammer-build-cost-floor\""));
    }
}
