using System.Net;
using System.Net.Sockets;

namespace Sfu.Host.Tests;

/// <summary>A TCP port on 127.0.0.1 that was free a moment ago, for a process that must be told its port.</summary>
internal static class FreePort
{
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
