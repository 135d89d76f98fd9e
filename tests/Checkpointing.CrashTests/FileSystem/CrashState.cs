namespace Checkpointing.CrashTests.FileSystem;

/// <summary>What is left on the device after a crash: directories and files with their bytes.</summary>
internal sealed record CrashState(IReadOnlyList<string> Directories, IReadOnlyDictionary<string, byte[]> Files);

/// <summary>One file's images at a point in time (arrays are never mutated after capture).</summary>
internal sealed record InodeImage(byte[] Data, byte[] Disk, bool[] Dirty)
{
    public bool HasUnsyncedBytes => Data.Length != Disk.Length || Dirty.Contains(true);

    /// <summary>
    /// The adversarial device: the file's length is the durable one, the new one or anything between
    /// (an append cut short); each 512-byte sector with unsynced bytes holds the old or the new sector
    /// (a torn overwrite); bytes the device never held read back as the new data, zeros or garbage.
    /// </summary>
    public byte[] Torn(Random random)
    {
        const int Sector = 512;
        var low = Math.Min(Data.Length, Disk.Length);
        var high = Math.Max(Data.Length, Disk.Length);
        var length = random.Next(3) switch
        {
            0 => Disk.Length,
            1 => Data.Length,
            _ => random.Next(low, high + 1),
        };
        var fill = random.Next(3); // 0: new data, 1: zeros, 2: garbage
        var result = new byte[length];
        for (var start = 0; start < length; start += Sector)
        {
            var end = Math.Min(length, start + Sector);
            var changed = false;
            for (var i = start; i < end && !changed; i++)
            {
                changed = i >= Disk.Length || (i < Dirty.Length && Dirty[i]) || (i < Data.Length && Data[i] != Disk[i]) || i >= Data.Length;
            }

            var takeNew = changed && random.Next(2) == 0;
            for (var i = start; i < end; i++)
            {
                if (!changed)
                {
                    result[i] = Disk[i];
                }
                else if (takeNew && i < Data.Length)
                {
                    result[i] = Data[i];
                }
                else if (i < Disk.Length)
                {
                    result[i] = Disk[i];
                }
                else
                {
                    result[i] = fill switch
                    {
                        0 => i < Data.Length ? Data[i] : (byte)0,
                        1 => 0,
                        _ => (byte)random.Next(256),
                    };
                }
            }
        }

        return result;
    }
}

/// <summary>A captured file system: its directories, current names and durable names.</summary>
internal sealed record FileSystemImage(
    string[] Directories,
    Dictionary<string, Dictionary<string, InodeImage>> Current,
    Dictionary<string, Dictionary<string, InodeImage>> Durable)
{
    public CrashState Materialize(CrashModel model, Random? random)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var directory in Directories)
        {
            var current = Current.GetValueOrDefault(directory) ?? [];
            var durable = Durable.GetValueOrDefault(directory) ?? [];
            switch (model)
            {
                case CrashModel.ProcessCrash:
                    foreach (var (name, inode) in current)
                    {
                        files[CrashFileSystem.Join(directory, name)] = inode.Data;
                    }

                    break;
                case CrashModel.PowerLoss:
                    foreach (var (name, inode) in durable)
                    {
                        files[CrashFileSystem.Join(directory, name)] = inode.Disk;
                    }

                    break;
                case CrashModel.Adversarial:
                {
                    var rng = random ?? throw new ArgumentNullException(nameof(random), "The adversarial model needs a seeded Random.");
                    foreach (var name in current.Keys.Union(durable.Keys).Order(StringComparer.Ordinal))
                    {
                        current.TryGetValue(name, out var now);
                        durable.TryGetValue(name, out var then);

                        // An un-fsynced create, rename or delete of this name is applied or not.
                        var inode = ReferenceEquals(now, then) ? now : rng.Next(2) == 0 ? now : then;
                        if (inode is not null)
                        {
                            files[CrashFileSystem.Join(directory, name)] = inode.HasUnsyncedBytes ? inode.Torn(rng) : inode.Disk;
                        }
                    }

                    break;
                }

                default:
                    throw new ArgumentOutOfRangeException(nameof(model));
            }
        }

        return new CrashState(Directories, files);
    }
}

/// <summary>Which operation a fault hits.</summary>
internal enum FaultOperation
{
    Write,
    Fsync,
    Rename,
}

/// <summary>The kind of error injected.</summary>
internal enum FaultKind
{
    /// <summary>No space left on device (errno 28).</summary>
    NoSpace,

    /// <summary>Input/output error (errno 5).</summary>
    IoError,
}

/// <summary>Fail the <see cref="Nth"/> operation of a kind (1-based), once or from then on; with <see cref="PathSuffix"/>, only operations on matching paths count.</summary>
internal sealed record FaultPlan(FaultOperation Operation, int Nth, FaultKind Kind, bool Permanent, string? PathSuffix = null)
{
    public const string NoSpaceMessage = "No space left on device";
    public const string IoErrorMessage = "Input/output error";

    public IOException CreateException(string path) => Kind switch
    {
        // HResults as .NET reports errno on Unix for these two errors.
        FaultKind.NoSpace => new IOException($"{NoSpaceMessage} : '{path}'", 28),
        _ => new IOException($"{IoErrorMessage} : '{path}'", 5),
    };

    public override string ToString() => $"{(Kind == FaultKind.NoSpace ? "ENOSPC" : "EIO")} at {Operation.ToString().ToLowerInvariant()} #{Nth}{(PathSuffix is null ? "" : $" of *{PathSuffix}")}{(Permanent ? " and after" : " once")}";
}
