using HostedPipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// Settings come from appsettings.json beside the program, then environment variables
// (Checkpointing__MaxDegreeOfParallelism=4, Scan__Pages=200), then the command line
// (--Checkpointing:RunId=scan-0043). Ctrl+C or SIGTERM stops the job cleanly; run again to resume.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

builder.Services.AddOptions<ScanOptions>().Bind(builder.Configuration.GetSection("Scan"));
builder.Services.AddSingleton<FakeOcrService>();
builder.Services.AddCheckpointing(builder.Configuration)
    .AddStage<OcrStage>()
    .AddStage<IndexStage>()
    .AddJob<ScanJob>();
builder.Services.AddHealthChecks().AddCheckpointing();
builder.Services.AddHostedService<HealthLogger>();

try
{
    // The exit code is the job's: 0 when it completed or was stopped by the host, 1 when it failed.
    await builder.Build().RunAsync();
}
catch (OptionsValidationException e)
{
    // Checked when the host starts, before any work: name every bad setting and do nothing else.
    Console.Error.WriteLine("Invalid settings:");
    foreach (var failure in e.Failures)
    {
        Console.Error.WriteLine("  " + failure);
    }

    return 2;
}

return Environment.ExitCode;
