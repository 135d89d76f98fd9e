using System.CommandLine;
using System.Text.Json;
using Checkpointing.Cli.Inspection;
using Checkpointing.Cli.Json;
using Spectre.Console;

namespace Checkpointing.Cli.Commands;

/// <summary><c>checkpoint validate &lt;file-or-folder&gt; [--template FILE]</c>: what is wrong, with files and line numbers.</summary>
internal static class ValidateCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var path = new Argument<string>("path") { Description = "A stage checkpoint (.json or .journal), an output file, a CSV, or a folder (root, run, checkpoints or outputs) to check everything in." };
        var template = new Option<string?>("--template") { Description = "A CSV whose header the CSV files must follow (e.g. the LSI ACS template)." };
        var key = new Option<string?>("--key") { Description = "The CSV column that identifies a row (default: 'ISBN or SKU' when present)." };
        var codes = new Option<string[]>("--codes")
        {
            Description = "COLUMN=FILE: the values of COLUMN must be listed in FILE (one per line, or the first column of a CSV). Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var store = StoreOptions.Store();
        var schema = StoreOptions.Schema();
        var run = new Option<string?>("--run") { Description = "With --store: only this run id." };
        var command = new Command("validate", "Check a stage checkpoint with its journal and outputs, or an LSI/cumulative CSV (header, rows, keys, LSI formats).")
        {
            path, template, key, codes, store, schema, run,
        };
        command.SetAction(CliApp.Guard(console, globals, async (parse, cancellationToken) =>
        {
            var target = Path.GetFullPath(parse.GetValue(path)!);
            if (parse.GetValue(store) is { } connection)
            {
                if (!Directory.Exists(target))
                {
                    throw new UsageException($"With --store the path is the root of the output file copies: folder '{target}' does not exist.");
                }

                await using var inspection = await StoreInspection.OpenAsync(connection, parse.GetValue(schema)!, cancellationToken).ConfigureAwait(false);
                var stored = await RunStoreAsync(inspection, target, parse.GetValue(run), cancellationToken).ConfigureAwait(false);
                Write(console, stored, parse.GetValue(globals.Json));
                return stored.Ok ? ExitCodes.Ok : ExitCodes.Problems;
            }

            if (parse.GetValue(run) is not null)
            {
                throw new UsageException("--run is for --store; to validate one run's files, give its folder.");
            }

            var rules = new CsvRules(
                parse.GetValue(template) is { } t ? CsvFile.ReadTemplate(t) : null,
                parse.GetValue(key),
                ReadCodeLists(parse.GetValue(codes) ?? []));
            var report = Run(target, rules, cancellationToken);
            Write(console, report, parse.GetValue(globals.Json));
            return report.Ok ? ExitCodes.Ok : ExitCodes.Problems;
        }));
        return command;
    }

    private static void Write(CliConsole console, ValidateReport report, bool json)
    {
        if (json)
        {
            CliJson.Write(console.Out, report, CliJsonContext.Default.ValidateReport);
        }
        else
        {
            Render(console, report);
        }
    }

    /// <summary>Checks every stage of a PostgreSQL store (or of one run): stored outputs and their file copies under <paramref name="root"/>.</summary>
    public static Task<ValidateReport> RunStoreAsync(StoreInspection store, string root, string? runId, CancellationToken cancellationToken) =>
        store.GuardAsync(async () =>
        {
            var findings = new Findings();
            var checkedEntries = new List<CheckedEntry>();
            foreach (var run in await store.RunsAsync(runId, cancellationToken).ConfigureAwait(false))
            {
                foreach (var stage in await store.StagesAsync(run, cancellationToken).ConfigureAwait(false))
                {
                    checkedEntries.Add(await store.ValidateAsync(root, run, stage, findings, cancellationToken).ConfigureAwait(false));
                }
            }

            if (checkedEntries.Count == 0)
            {
                throw new UsageException($"The store at {store.Endpoint} holds no stage.");
            }

            return new ValidateReport(root, findings.Errors == 0, findings.Errors, findings.Warnings, checkedEntries, findings.ToList());
        });

    public static ValidateReport Run(string target, CsvRules rules, CancellationToken cancellationToken)
    {
        var findings = new Findings();
        var checkedEntries = new List<CheckedEntry>();
        if (File.Exists(target))
        {
            checkedEntries.Add(ValidateFile(target, rules, findings, cancellationToken));
        }
        else if (Directory.Exists(target))
        {
            var (stages, csvs) = Discover(target);
            var batches = CheckpointFolders(target, 0)
                .SelectMany(d => Directory.EnumerateFiles(d, "*" + BatchCheckpoints.Suffix)).Order(StringComparer.Ordinal).ToList();
            var phases = PhaseSnapshots.Folders(target, depth: 3).ToList();
            if (stages.Count == 0 && csvs.Count == 0 && phases.Count == 0 && batches.Count == 0)
            {
                throw new UsageException($"Found no checkpoint, phase snapshot or CSV file under '{target}'.");
            }

            checkedEntries.AddRange(stages.Select(s => StageValidator.Validate(s, findings, cancellationToken)));
            checkedEntries.AddRange(batches.Select(b => ValidateBatch(b, findings)));
            checkedEntries.AddRange(phases.Select(p => ValidatePhase(p, findings)));
            checkedEntries.AddRange(csvs.Select(c => CsvValidator.Validate(c, rules, findings, cancellationToken)));
        }
        else
        {
            throw new UsageException($"'{target}' does not exist.");
        }

        return new ValidateReport(target, findings.Errors == 0, findings.Errors, findings.Warnings, checkedEntries, findings.ToList());
    }

    private static CheckedEntry ValidateFile(string file, CsvRules rules, Findings findings, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(file);
        if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            return CsvValidator.Validate(file, rules, findings, cancellationToken);
        }

        if (name.EndsWith(".lock.json", StringComparison.Ordinal) || name.EndsWith(".lock", StringComparison.Ordinal))
        {
            throw new UsageException($"'{file}' is a lock file; validate the stage's '.json' checkpoint instead.");
        }

        if (PhaseSnapshots.IsSnapshotName(name))
        {
            var snapshot = PhaseSnapshots.Inspect(file);
            if (snapshot.Problem is not null)
            {
                findings.Add(Finding.Error(file, "the phase snapshot is invalid: " + snapshot.Problem));
            }

            return new CheckedEntry("phase_snapshot", file, snapshot.Valid
                ? $"phase {snapshot.Phase}, iteration {snapshot.Iteration}, sequence {snapshot.Sequence}{(snapshot.Complete ? ", complete" : "")}"
                : "invalid");
        }

        if (name.EndsWith(BatchCheckpoints.Suffix, StringComparison.Ordinal))
        {
            return ValidateBatch(file, findings);
        }

        if (StageLocation.FromCheckpointFile(file) is { } stage)
        {
            return StageValidator.Validate(stage, findings, cancellationToken);
        }

        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var key = name[..^".json".Length];
            var (problem, cost, savedAt) = StageValidator.ReadOutput(file, key);
            if (problem is not null)
            {
                findings.Add(Finding.Error(file, "the output " + problem, key: key));
            }

            return new CheckedEntry("output", file, problem is null ? $"output of item {key}, cost {Format.Money(cost)}, saved {Format.Time(savedAt)}" : "unreadable output");
        }

        throw new UsageException($"Cannot tell what '{file}' is: expected a stage checkpoint (<run>/checkpoints/<stage>.json or .journal), an output (.json) or a CSV.");
    }

    private static IEnumerable<string> CheckpointFolders(string folder, int depth)
    {
        if (Path.GetFileName(folder) == StageLocation.CheckpointsFolder)
        {
            yield return folder;
        }

        if (depth >= 4)
        {
            yield break;
        }

        foreach (var sub in Directory.EnumerateDirectories(folder))
        {
            foreach (var found in CheckpointFolders(sub, depth + 1))
            {
                yield return found;
            }
        }
    }

    private static CheckedEntry ValidateBatch(string file, Findings findings)
    {
        var checkpoint = BatchCheckpoints.Read(file);
        if (checkpoint.Problem is not null)
        {
            findings.Add(Finding.Error(file, checkpoint.Problem));
        }
        else if (BatchCheckpoints.CheckSharedFile(checkpoint, Path.GetDirectoryName(Path.GetDirectoryName(file))!) is { } mismatch)
        {
            findings.Add(Finding.Error(file, mismatch));
        }

        if (checkpoint.Failed > 0)
        {
            findings.Add(Finding.Info(file, $"{checkpoint.Failed} item(s) failed; the next run retries them"));
        }

        return new CheckedEntry("batch_checkpoint", file, BatchCheckpoints.Describe(checkpoint));
    }

    private static CheckedEntry ValidatePhase(string folder, Findings findings)
    {
        var snapshots = PhaseSnapshots.InFolder(folder);
        var latest = snapshots.FirstOrDefault(s => s.Valid);
        foreach (var snapshot in snapshots.Where(s => !s.Valid))
        {
            var newer = latest is null || snapshot.Sequence > latest.Sequence;
            findings.Add(latest is null
                ? Finding.Error(snapshot.Path, $"the snapshot is invalid ({snapshot.Problem}) and the phase has no valid one: the next run starts over")
                : Finding.Warning(snapshot.Path, $"the snapshot is invalid ({snapshot.Problem}); " + (newer ? $"the next run resumes from the older sequence {latest.Sequence}" : "it is skipped")));
        }

        foreach (var temp in Directory.EnumerateFiles(folder, ".*.ckpt.tmp"))
        {
            findings.Add(Finding.Warning(temp, "a temp file of a save cut short; the next open of the phase (or 'checkpoint clean') removes it"));
        }

        return new CheckedEntry("phase", folder, latest is null
            ? $"phase {Path.GetFileName(folder)}: {snapshots.Count} snapshot(s), none valid"
            : $"phase {Path.GetFileName(folder)}: {snapshots.Count} snapshot(s), latest valid sequence {latest.Sequence} (iteration {latest.Iteration}{(latest.Complete ? ", complete" : "")})");
    }

    /// <summary>The stages and CSV files under a folder: a root, a run, a checkpoints folder or a stage's outputs.</summary>
    private static (List<StageLocation> Stages, List<string> Csvs) Discover(string folder)
    {
        var stages = new List<StageLocation>();
        var name = Path.GetFileName(folder);
        var parent = Path.GetDirectoryName(folder);
        if (name == StageLocation.CheckpointsFolder && parent is not null && Directory.EnumerateFiles(folder).Any())
        {
            stages.AddRange(StageLocation.InRun(Path.GetDirectoryName(parent)!, Path.GetFileName(parent)));
            return (stages, []);
        }

        if (parent is not null && Directory.Exists(Path.Combine(parent, StageLocation.CheckpointsFolder)) && !Directory.Exists(Path.Combine(folder, StageLocation.CheckpointsFolder)))
        {
            // A stage's outputs folder: the stages of its run that write there.
            var run = StageLocation.InRun(Path.GetDirectoryName(parent)!, Path.GetFileName(parent));
            stages.AddRange(run.Where(s => OutputDirectoryOf(s) == name));
            if (stages.Count > 0)
            {
                return (stages, []);
            }
        }

        var csvs = new List<string>();
        Walk(folder, 0, stages, csvs);
        return (stages, csvs);
    }

    private static void Walk(string folder, int depth, List<StageLocation> stages, List<string> csvs)
    {
        if (Directory.Exists(Path.Combine(folder, StageLocation.CheckpointsFolder)) && Path.GetDirectoryName(folder) is { } root)
        {
            stages.AddRange(StageLocation.InRun(root, Path.GetFileName(folder)));
        }

        csvs.AddRange(Directory.EnumerateFiles(folder, "*.csv").Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal));
        if (depth >= 4)
        {
            return;
        }

        foreach (var sub in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(sub) != StageLocation.CheckpointsFolder)
            {
                Walk(sub, depth + 1, stages, csvs);
            }
        }
    }

    private static string? OutputDirectoryOf(StageLocation stage)
    {
        var document = StageReader.Read(stage).Document;
        return document is null ? null : string.IsNullOrEmpty(document.OutputDirectory) ? stage.Stage : document.OutputDirectory;
    }

    private static Dictionary<string, HashSet<string>> ReadCodeLists(string[] specs)
    {
        var lists = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var split = spec.LastIndexOf('=');
            if (split <= 0 || split == spec.Length - 1)
            {
                throw new UsageException($"--codes '{spec}' is not COLUMN=FILE.");
            }

            var file = Path.GetFullPath(spec[(split + 1)..]);
            if (!File.Exists(file))
            {
                throw new UsageException($"Code list '{file}' does not exist.");
            }

            var codes = new HashSet<string>(StringComparer.Ordinal);
            if (file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            {
                using var csv = CsvFile.Open(file);
                while (csv.Reader.Read())
                {
                    codes.Add(csv.Reader.GetString(0).Trim());
                }
            }
            else
            {
                foreach (var line in File.ReadLines(file))
                {
                    if (line.Trim() is { Length: > 0 } code)
                    {
                        codes.Add(code);
                    }
                }
            }

            lists[spec[..split]] = codes;
        }

        return lists;
    }

    private static string ShortPath(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }

    private static void Render(CliConsole console, ValidateReport report)
    {
        foreach (var entry in report.Checked)
        {
            console.Ansi.Write(new Text($"checked {entry.Kind} {entry.Path}: {entry.Summary}\n"));
        }

        if (report.Findings.Count > 0)
        {
            var table = new Table { Border = TableBorder.Rounded };
            table.AddColumn("Severity");
            table.AddColumn("File");
            table.AddColumn(new TableColumn("Line").RightAligned());
            table.AddColumn("Item / column");
            table.AddColumn("Problem");
            foreach (var finding in report.Findings)
            {
                var where = string.Join(" ", new[] { finding.Key, finding.Column is null ? null : $"[{finding.Column}]" }.Where(x => x is not null));
                table.AddRow(
                    new Text(finding.Severity, finding.Severity switch { "error" => new Style(Color.Red), "warning" => new Style(Color.Yellow), _ => Style.Plain }),
                    new Text(ShortPath(finding.File)),
                    new Text(finding.Line?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                    new Text(where),
                    new Text(finding.Message));
            }

            console.Ansi.Write(table);
        }

        var verdict = report.Ok ? (report.Warnings > 0 ? "OK with warnings" : "OK") : "PROBLEMS FOUND";
        console.Ansi.Write(new Text($"{verdict}: {report.Errors} error(s), {report.Warnings} warning(s)\n", report.Ok ? new Style(Color.Green) : new Style(Color.Red)));
    }
}
