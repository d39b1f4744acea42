using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Sfu.Core.Net;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// <see cref="FanOutBenchmarks"/> plus the send: each protected copy goes out through Core's
/// <see cref="UdpMediaPort.SendTo"/> as one datagram to a sink socket on 127.0.0.1 (never any
/// other address). The sink is not read; once its queue is full the kernel drops on the
/// receive side, so the number is the sender's syscall cost. AES-GCM only: the profile does not
/// change the send.
/// </summary>
[BenchmarkCategory(BenchmarkCategories.HotPath, BenchmarkCategories.Udp)]
[InvocationCount(RingCapacity, 1)]
public class UdpFanOutBenchmarks : IDisposable
{
    /// <summary>Operations per iteration; also the ring size.</summary>
    public const int RingCapacity = 4096;

    private Socket? _sink;
    private UdpMediaPort? _port;
    private FanOutPipeline? _pipeline;

    [Params(1, 10)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _port = new UdpMediaPort(new IPEndPoint(IPAddress.Loopback, 0), NullLogger<UdpMediaPort>.Instance);
        SocketAddress destination = _sink.LocalEndPoint!.Serialize();
        _pipeline = new FanOutPipeline(SrtpProfile.AeadAes128Gcm, Subscribers, RingCapacity, _port, destination);
    }

    [IterationSetup]
    public void Refill() => _pipeline!.Refill();

    [GlobalCleanup]
    public void Dispose()
    {
        _pipeline?.Dispose();
        _port?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sink?.Dispose();
        _pipeline = null;
        _port = null;
        _sink = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns the SRTP bytes sent to all subscribers, or -1 / a short sum when a send failed.</summary>
    [Benchmark]
    public int ForwardAndSend() => _pipeline!.ForwardNext();
}
