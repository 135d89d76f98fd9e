using System.CommandLine;
using System.Globalization;
using Checkpointing;
using Checkpointing.SharedFiles;
using Microsoft.Extensions.Logging;
using PackageReview;

var packages = new Option<int>("--packages") { Description = "Number of packages to review", DefaultValueFactory = _ => 486 };
var root = new Option<string>("--root") { Description = "Storage root", DefaultValueFactory = _ => "data" };
var runId = new Option<string>("--run-id") { Description = "Run id", DefaultValueFactory = _ => "package-review" };
var batchSize = new Option<int>("--batch-size") { Description = "Save the workbook every N packages", DefaultValueFactory = _ => 25 };
var batchSeconds = new Option<double>("--batch-seconds") { Description = "Also save when a reviewed package has waited this many seconds (0: off)", DefaultValueFactory = _ => 0 };
var fresh = new Option<bool>("--fresh") { Description = "Set the workbook aside and review every package again" };
var fromPackage = new Option<int>("--from-package") { Description = "Review again from package N on (1-based)", DefaultValueFactory = _ => 0 };
var fromBatch = new Option<int>("--from-batch") { Description = "Review again the packages of batch N and later batches (1-based)", DefaultValueFactory = _ => 0 };
var force = new Option<bool>("--force") { Description = "Accept a workbook that no longer matches its checkpoint" };
var failAt = new Option<int>("--fail-at") { Description = "Inject a failure at package N (1-based)", DefaultValueFactory = _ => 0 };
var latency = new Option<int>("--latency") { Description = "Simulated latency of each lookup, in milliseconds", DefaultValueFactory = _ => 20 };
var parallel = new Option<int>("--parallel") { Description = "Packages reviewed at once", DefaultValueFactory = _ => 4 };

var command = new RootCommand("Reviews Python packages into one shared .xlsx workbook, saved in crash-safe batches.")
{
    packages, root, runId, batchSize, batchSeconds, fresh, fromPackage, fromBatch, force, failAt, latency, parallel,
};

command.SetAction(async (parse, invocationToken) =>
{
    using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        interrupt.Cancel();
    };
    using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss ";
    }));
    var logger = loggerFactory.CreateLogger("PackageReview");

    var start = parse.GetValue(fresh) ? SharedFileStart.Fresh
        : parse.GetValue(fromPackage) > 0 ? SharedFileStart.FromItem(parse.GetValue(fromPackage))
        : parse.GetValue(fromBatch) > 0 ? SharedFileStart.FromBatch(parse.GetValue(fromBatch))
        : SharedFileStart.Resume;
    var policy = SharedFileBatchPolicy.Items(Math.Max(1, parse.GetValue(batchSize)));
    if (parse.GetValue(batchSeconds) > 0)
    {
        policy = policy.Or(SharedFileBatchPolicy.Every(TimeSpan.FromSeconds(parse.GetValue(batchSeconds))));
    }

    // The checkpoint's name ("review") and the workbook's file name come from ReviewStage's attributes.
    var options = ReviewStage.CreateSharedFileOptions(parse.GetValue(root)!, parse.GetValue(runId)!) with
    {
        Policy = policy,
        Start = start,
        Force = parse.GetValue(force),
        MaxDegreeOfParallelism = Math.Max(1, parse.GetValue(parallel)),
        Logger = logger,
    };
    var lookup = new PackageLookup(TimeSpan.FromMilliseconds(parse.GetValue(latency)), parse.GetValue(failAt));
    var list = Packages.Take(parse.GetValue(packages));
    logger.LogInformation("Reviewing {Count} packages, saving {Policy}, start: {Start}", list.Count, policy, start);
    try
    {
        var result = await new ReviewStage(lookup).RunAsync(list, options, interrupt.Token);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Processed} packages reviewed, {result.Skipped} skipped, {result.Failed} failed, {result.BatchesSaved} batches saved; {result.Completed} of {list.Count} done; ${result.CostUsd:0.0000} this run, ${result.TotalCostUsd:0.0000} in total"));
        Console.WriteLine($"Workbook: {result.FilePath}");
        return result.Status == SharedFileRunStatus.Completed ? 0 : 2;
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine("Cancelled: the packages reviewed so far are saved; run again to resume.");
        return 130;
    }
    catch (Exception ex) when (ex is SharedFileMismatchException or SharedFileSaveException or CheckpointLockedException or CheckpointCorruptException or ArgumentException)
    {
        Console.Error.WriteLine(ex.Message);
        return 1;
    }
});

return await command.Parse(args).InvokeAsync();
