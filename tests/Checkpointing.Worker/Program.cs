using Checkpointing.Worker;

// Usage: Checkpointing.Worker <command> [--name value ...]
// Each command prints one line per confirmed unit of work, flushed, so a test that kills the process
// knows exactly what was confirmed before the kill.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Checkpointing.Worker <stage> [--option value ...]");
    return 2;
}

var options = WorkerArgs.Parse(args.AsSpan(1));
return args[0] switch
{
    "stage" => await StageCommand.RunAsync(options),
    "csv" => await CsvCommand.RunAsync(options),
    _ => Usage(args[0]),
};

static int Usage(string command)
{
    Console.Error.WriteLine($"unknown command '{command}'");
    return 2;
}
