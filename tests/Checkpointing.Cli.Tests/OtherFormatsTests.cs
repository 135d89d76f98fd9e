using System.Security.Cryptography;
using System.Text;
using Checkpointing.Cli.Tests.Support;

namespace Checkpointing.Cli.Tests;

/// <summary>
/// Phase snapshots (docs/phase-snapshots.md) and shared-file batch checkpoints (docs/shared-file-batches.md),
/// written here byte for byte as those documents specify, then damaged.
/// </summary>
public sealed class OtherFormatsTests : IDisposable
{
    private readonly TempFolder _dir = new();

    private static string Hex(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    private static string WriteSnapshot(string folder, int iteration, int sequence, DateTime at, bool complete = false)
    {
        Directory.CreateDirectory(folder);
        var phase = Path.GetFileName(folder);
        var body = $$"""
            {
              "format": "checkpointing.phase",
              "version": 1,
              "phase": "{{phase}}",
              "iteration": {{iteration}},
              "sequence": {{sequence}},
              "timestamp": "{{at:yyyy-MM-ddTHH:mm:ss.fffffffZ}}",
              "complete": {{(complete ? "true" : "false")}},
              "input_fingerprint": null,
              "state": {"doneBooks": ["book_{{iteration}}"]},
              "metadata": {}
            """.TrimEnd();
        var head = Encoding.UTF8.GetBytes(body);
        var path = Path.Combine(folder, $"checkpoint_{at:yyyyMMdd_HHmmss}_iter{iteration}_seq{sequence}.json");
        File.WriteAllText(path, body + $",\n  \"sha256\": \"{Hex(head)}\"\n}}\n");
        return path;
    }

    [Fact]
    public async Task Phase_snapshots_are_listed_validated_by_checksum_shown_in_status_and_cleaned_keeping_the_latest()
    {
        var root = _dir["checkpoints"];
        var phase = Path.Combine(root, "phase_3");
        var old = DateTime.UtcNow.AddDays(-2);
        WriteSnapshot(phase, 5, 1, old);
        var second = WriteSnapshot(phase, 10, 2, old.AddMinutes(5));
        var third = WriteSnapshot(phase, 15, 3, old.AddMinutes(10));
        File.WriteAllText(third, File.ReadAllText(third).Replace("book_15", "book_99"));

        var one = await Tool.RunAsync("validate", second);
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Contains("phase phase_3, iteration 10, sequence 2", one.Out);

        var validate = await Tool.RunProcessAsync("validate", root, "--json");
        Assert.True(validate.ExitCode == 0, validate.ToString());
        var finding = validate.Json().GetProperty("findings").EnumerateArray().Single();
        Assert.Equal(third, finding.GetProperty("file").GetString());
        Assert.Contains("checksum does not match", finding.GetProperty("message").GetString());
        Assert.Contains("resumes from the older sequence 2", finding.GetProperty("message").GetString());

        var status = await Tool.RunAsync("status", root, "--json");
        var entry = status.Json().GetProperty("phases").EnumerateArray().Single();
        Shape.Assert(entry, Shape.Phase, "phase");
        Assert.Equal(2, entry.GetProperty("latest_sequence").GetInt64());
        Assert.Equal(3, entry.GetProperty("snapshots").GetInt32());
        Assert.Equal(2, entry.GetProperty("valid").GetInt32());
        Assert.Equal(1, status.ExitCode);

        var list = (await Tool.RunAsync("list", root, "--json")).Json().GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(3, list.Count(f => f.GetProperty("kind").GetString() == "phase_snapshot"));

        var clean = await Tool.RunAsync("clean", root, "--older-than", "1h", "--keep", "1", "--json");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Equal([second], Directory.GetFiles(phase, "checkpoint_*.json"));
    }

    [Fact]
    public async Task A_batch_checkpoint_is_checked_against_its_shared_file_hash_and_shown_in_status()
    {
        var root = _dir["data"];
        var run = Path.Combine(root, "review-2026");
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        var shared = Path.Combine(run, "package_review.csv");
        File.WriteAllText(shared, "package,verdict\nrequests,ok\nnumpy,ok\n");
        var bytes = File.ReadAllBytes(shared);
        var checkpoint = Path.Combine(run, "checkpoints", "review.batches.json");
        File.WriteAllText(checkpoint, $$"""
            {
              "format": "checkpointing.shared-file", "version": 1, "name": "review", "run_id": "review-2026",
              "file": "package_review.csv", "status": "in_progress", "error": null,
              "updated_at": "2026-11-30T09:12:44.1234567+00:00", "reset_at": null, "batch": 1,
              "sha256": "{{Hex(bytes)}}", "file_length": {{bytes.Length}}, "rows": 2, "completed_count": 2, "total_cost_usd": 0.004,
              "completed": { "requests": 1, "numpy": 1 }, "redo": [],
              "failed": { "tornado": { "error": "PyPI lookup failed: 503", "at": "2026-11-30T09:12:40+00:00", "attempts": 1 } },
              "batches": [ { "batch": 1, "items": 2, "rows": 2, "saved_at": "2026-11-30T09:12:41+00:00", "sha256": "{{Hex(bytes)}}", "cost_usd": 0.004, "reason": "items" } ],
              "runs": [ { "run": 1, "started_at": "2026-11-30T09:12:39+00:00", "ended_at": null, "status": "in_progress", "start": "resume", "processed": 2, "failed": 1, "batches": 1, "error": null } ]
            }
            """);

        var ok = await Tool.RunAsync("validate", checkpoint);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("batch checkpoint review (run review-2026): in_progress, batch 1, 2 done, 1 failed", ok.Out);

        var status = await Tool.RunAsync("status", root, "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        var batch = status.Json().GetProperty("batches").EnumerateArray().Single();
        Shape.Assert(batch, Shape.Batch, "batch");
        Assert.Empty(status.Json().GetProperty("stages").EnumerateArray());
        Assert.Equal(2, batch.GetProperty("rows").GetInt32());

        File.AppendAllText(shared, "flask,edited by hand\n");
        var changed = await Tool.RunProcessAsync("validate", run);
        Assert.True(changed.ExitCode == 1, changed.ToString());
        Assert.Contains("is not the one batch 1 saved", changed.Out);
        Assert.Equal(1, (await Tool.RunAsync("status", root)).ExitCode);
    }

    public void Dispose() => _dir.Dispose();
}
