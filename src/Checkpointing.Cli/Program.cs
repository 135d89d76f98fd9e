using Checkpointing.Cli;

return await CliApp.RunAsync(args, CliConsole.System(), handleTermination: true);
