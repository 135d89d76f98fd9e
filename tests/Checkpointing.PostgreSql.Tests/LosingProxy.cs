using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Checkpointing.PostgreSql.Tests;

/// <summary>
/// A TCP proxy in front of the test server that, once armed, loses the end of the answer to the next claim: it
/// passes the claimed rows and the command's completion to the client, then cuts the connection instead of
/// passing the final ReadyForQuery. The server has committed the claim by then (the implicit transaction of the
/// extended protocol commits at Sync, before ReadyForQuery), so the client sees its claims and then an error: a
/// connection lost at the worst moment, as in a server crash, made to happen every time.
/// </summary>
internal sealed class LosingProxy : IAsyncDisposable
{
    private static readonly byte[] ClaimColumn = Encoding.ASCII.GetBytes("lease_token\0");
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _host;
    private readonly int _port;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _armed;

    public LosingProxy(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        _host = builder.Host!;
        _port = builder.Port;
        _listener.Start();
        builder.Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        builder.Host = "127.0.0.1";
        ConnectionString = builder.ConnectionString;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The test server's connection string, through this proxy.</summary>
    public string ConnectionString { get; }

    /// <summary>How many answers were cut.</summary>
    public int Cuts { get; private set; }

    /// <summary>The next claim's answer is cut after its rows.</summary>
    public void Arm() => Volatile.Write(ref _armed, 1);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_host, _port, _stop.Token);
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpAsync(client.GetStream(), server.GetStream(), inspect: false, cut);
            var down = PumpAsync(server.GetStream(), client.GetStream(), inspect: true, cut);
            await Task.WhenAny(up, down);
            await cut.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool inspect, CancellationTokenSource cut)
    {
        var buffer = new byte[64 * 1024];
        var cutting = false;
        try
        {
            while (await from.ReadAsync(buffer, cut.Token) is var n and > 0)
            {
                var chunk = buffer.AsMemory(0, n);
                if (inspect && !cutting && Volatile.Read(ref _armed) == 1 && chunk.Span.IndexOf(ClaimColumn) >= 0)
                {
                    cutting = Interlocked.Exchange(ref _armed, 0) == 1;
                }

                // ReadyForQuery ('Z', length 5, status) ends the answer: pass what precedes it, then cut.
                if (cutting && n >= 6 && chunk.Span[n - 6] == (byte)'Z' && chunk.Span[(n - 5)..(n - 1)].SequenceEqual(new byte[] { 0, 0, 0, 5 }))
                {
                    await to.WriteAsync(chunk[..(n - 6)], cut.Token);
                    await to.FlushAsync(cut.Token);
                    Cuts++;
                    return;
                }

                await to.WriteAsync(chunk, cut.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }
}
