using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Sfu.Core.Net;

namespace Sfu.Benchmarks;

/// <summary>
/// The cost of handing one fan-out's datagrams to the kernel: 20 protected 1,200-byte packets
/// sent one <c>sendto</c> each, against the same 20 queued in <see cref="LinuxDatagramBatch"/>
/// and sent with one <c>sendmmsg</c> (what the receive thread does). The destinations are 20
/// sink sockets on 127.0.0.1, never read: once a queue is full the kernel drops on the
/// receiving side, so both figures are the sender's cost. One operation is the whole fan-out.
/// </summary>
[BenchmarkCategory(BenchmarkCategories.HotPath, BenchmarkCategories.Udp)]
public class DatagramSendBenchmarks : IDisposable
{
    public const int FanOut = 20;

    private readonly byte[] _packet = new byte[1228];
    private Socket? _sender;
    private Socket[] _sinks = [];
    private SocketAddress[] _destinations = [];
    private LinuxDatagramBatch? _batch;

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_packet);
        _sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sinks = new Socket[FanOut];
        _destinations = new SocketAddress[FanOut];
        for (int i = 0; i < FanOut; i++)
        {
            _sinks[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _sinks[i].Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _destinations[i] = _sinks[i].LocalEndPoint!.Serialize();
        }

        _batch = LinuxDatagramBatch.TryCreate();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _batch?.Dispose();
        _sender?.Dispose();
        foreach (Socket sink in _sinks)
        {
            sink.Dispose();
        }

        _batch = null;
        _sender = null;
        _sinks = [];
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns the bytes handed to the kernel.</summary>
    [Benchmark(Baseline = true)]
    public int SendToEach()
    {
        int sent = 0;
        foreach (SocketAddress destination in _destinations)
        {
            sent += _sender!.SendTo(_packet, SocketFlags.None, destination);
        }

        return sent;
    }

    /// <summary>Returns the bytes queued and flushed (falls back to one send each where sendmmsg is missing).</summary>
    [Benchmark]
    public int SendBatched()
    {
        if (_batch is null)
        {
            return SendToEach();
        }

        foreach (SocketAddress destination in _destinations)
        {
            _batch.TryAdd(_packet, destination);
        }

        int bytes = _batch.Count * _packet.Length;
        _batch.Flush(_sender!.SafeHandle);
        return bytes;
    }
}
