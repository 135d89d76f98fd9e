using HostedPipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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

await builder.Build().RunAsync();
