using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Checkpointing.Hosting.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Checkpointing.Store;

namespace Checkpointing.Hosting.Tests;

public sealed class HostedRunTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task StopApplication_ends_the_run_as_cancelled_keeping_every_finished_item_and_the_next_start_resumes()
    {
        var first = new JobResults();
        using (var host = BuildHost(new PageGate(limit: 5), first))
        {
            await host.StartAsync();
            var monitor = host.Services.GetRequiredService<StageMonitor>();
            await Wait.UntilAsync(() => monitor.GetRunningStages() is [{ Progress.Processed: 5 }], "five pages are done");

            host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            await host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        var cancelled = Assert.Single(first.Results);
        Assert.True(cancelled.Cancelled);
        Assert.Equal(5, cancelled.Processed);
        var state = FileCheckpointStore.ReadState(_temp.Path, "run-1", "pages")!;
        Assert.Equal(RunStatus.Cancelled, state.Runs.Single().Status);
        Assert.Equal(["000001", "000002", "000003", "000004", "000005"], state.Completed.Keys.Order(StringComparer.Ordinal));
        var outputs = Path.Combine(_temp.Path, "run-1", "pages");
        var kept = Directory.GetFiles(outputs).Order(StringComparer.Ordinal).ToDictionary(f => f, File.ReadAllBytes);
        Assert.Equal(5, kept.Count);

        // Started again with nothing held back, the job finishes the stage and stops the host by itself.
        var second = new JobResults();
        using (var host = BuildHost(new PageGate(), second))
        {
            await host.StartAsync();
            await host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        var resumed = Assert.Single(second.Results);
        Assert.Equal((5, 15, StageStatus.Completed), (resumed.Skipped, resumed.Processed, resumed.Status));
        state = FileCheckpointStore.ReadState(_temp.Path, "run-1", "pages")!;
        Assert.Equal([RunStatus.Cancelled, RunStatus.Completed], state.Runs.Select(r => r.Status));
        Assert.Equal(PagesJob.Pages, state.CompletedCount);
        foreach (var (path, bytes) in kept)
        {
            Assert.Equal(bytes, File.ReadAllBytes(path)); // finished before the stop: kept, not redone
        }
    }

    [Fact]
    public async Task A_real_process_sent_SIGTERM_stops_cleanly_and_a_second_start_resumes()
    {
        var app = typeof(HostedRunTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "HostedPipelineApp").Value!;
        var environment = new Dictionary<string, string>
        {
            // The sample reads appsettings.json; the environment overrides it, as under systemd or in a container.
            ["Checkpointing__Root"] = _temp.Path,
            ["Checkpointing__RunId"] = "scan-sigterm",
            ["Checkpointing__MaxDegreeOfParallelism"] = "4",
            ["Scan__Pages"] = "100",
            ["Scan__LatencyMs"] = "100", // 100 pages take 2.5 s or more: the stop lands mid-stage even on a loaded machine
        };

        var (process, output) = Start(app, environment);
        using (process)
        {
            await Wait.UntilAsync(() => FileCheckpointStore.ReadState(_temp.Path, "scan-sigterm", "ocr")?.CompletedCount >= 12 || process.HasExited, "the first pages are done");
            Assert.False(process.HasExited, Text(output));
            Assert.Equal(0, Kill(process.Id, Sigterm));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{Text(output)}");
        }

        Assert.Contains("Job ScanJob was stopped by the host before it finished", Text(output));
        var stopped = FileCheckpointStore.ReadState(_temp.Path, "scan-sigterm", "ocr")!;
        var run = stopped.Runs.Single();
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.InRange(stopped.CompletedCount, 12, 99);
        Assert.Null(FileCheckpointStore.ReadState(_temp.Path, "scan-sigterm", "index"));
        var ocrOutputs = Path.Combine(_temp.Path, "scan-sigterm", "ocr");
        var kept = stopped.Completed.Keys.ToDictionary(k => k, k => File.ReadAllBytes(Path.Combine(ocrOutputs, k + ".json")));

        environment["Scan__LatencyMs"] = "0";
        var (again, againOutput) = Start(app, environment);
        using (again)
        {
            await again.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(again.ExitCode == 0, $"exit code {again.ExitCode}:\n{Text(againOutput)}");
        }

        var ocr = FileCheckpointStore.ReadState(_temp.Path, "scan-sigterm", "ocr")!;
        Assert.Equal([RunStatus.Cancelled, RunStatus.Completed], ocr.Runs.Select(r => r.Status));
        Assert.Equal(stopped.CompletedCount, ocr.Runs[1].Skipped);
        Assert.Equal(100 - stopped.CompletedCount, ocr.Runs[1].Processed);
        Assert.Equal(100, ocr.CompletedCount);
        Assert.Equal(100, FileCheckpointStore.ReadState(_temp.Path, "scan-sigterm", "index")!.CompletedCount);
        foreach (var (key, bytes) in kept)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(ocrOutputs, key + ".json")));
        }
    }

    [Fact]
    public async Task A_failing_job_stops_the_host_with_the_failure_exit_code_keeping_what_it_finished()
    {
        var before = Environment.ExitCode;
        try
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddSingleton(new PageGate());
            builder.Services.AddCheckpointing(o =>
            {
                o.Root = _temp.Path;
                o.RunId = "run-2";
            }).AddStage<PagesStage>().AddJob<FailingJob>(o => o.FailedExitCode = 3);
            using var host = builder.Build();
            await host.StartAsync();
            await host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(3, Environment.ExitCode);
            Assert.Equal(3, FileCheckpointStore.ReadState(_temp.Path, "run-2", "pages")!.CompletedCount);
        }
        finally
        {
            Environment.ExitCode = before;
        }
    }

    private sealed class FailingJob(HostedStageRunner runner, PagesStage stage) : ICheckpointedJob
    {
        public async Task RunAsync(CancellationToken cancellationToken)
        {
            await runner.RunAsync(stage.CreateDefinition(), [1, 2, 3], cancellationToken: cancellationToken);
            throw new InvalidOperationException("The upload step failed.");
        }
    }

    private IHost BuildHost(PageGate gate, JobResults results)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Checkpointing:Root"] = _temp.Path,
            ["Checkpointing:RunId"] = "run-1",
        });
        builder.Services.AddSingleton(gate);
        builder.Services.AddSingleton(results);
        builder.Services.AddCheckpointing(builder.Configuration)
            .AddStage<PagesStage>()
            .AddJob<PagesJob>();
        return builder.Build();
    }

    private static (Process Process, StringBuilder Output) Start(string app, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(app);
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private const int Sigterm = 15;

    // .NET can send SIGKILL (Process.Kill) but not SIGTERM, which is what systemd and container runtimes send.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
