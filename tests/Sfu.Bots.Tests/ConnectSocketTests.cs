using System.Globalization;

namespace Sfu.Bots.Tests;

/// <summary>
/// <see cref="SfuBotOptions.ConnectSocket"/>: the kernel's own table (/proc/net/udp) says whether
/// the bot's UDP socket is connected, and to which port; media still arrives through it.
/// </summary>
public sealed class ConnectSocketTests(SfuServerFixture server) : IClassFixture<SfuServerFixture>
{
    [Fact(Timeout = 60_000)]
    public async Task A_bot_that_connects_its_socket_is_connected_to_the_server_and_receives_media_and_one_that_does_not_is_not()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string room = "connect-" + Guid.NewGuid().ToString("N")[..8];
        await using SfuBot publisher = await SfuBot.ConnectAsync(server.Url, new SfuBotOptions { Room = room, Name = "publisher" }, cancel);
        await using SfuBot connected = await SfuBot.ConnectAsync(
            server.Url,
            new SfuBotOptions { Room = room, Name = "connected", PublishAudio = false, PublishVideo = false, ConnectSocket = true },
            cancel);
        await using SfuBot plain = await SfuBot.ConnectAsync(
            server.Url,
            new SfuBotOptions { Room = room, Name = "plain", PublishAudio = false, PublishVideo = false },
            cancel);

        Assert.True(await connected.WaitUntilAsync(b => b.SrtpBytesReceived > 10_000, TimeSpan.FromSeconds(20)), $"{connected.SrtpBytesReceived} SRTP bytes received");
        Assert.True(await plain.WaitUntilAsync(b => b.SrtpBytesReceived > 10_000, TimeSpan.FromSeconds(20)), $"{plain.SrtpBytesReceived} SRTP bytes received");

        Assert.Equal(server.Engine.MediaEndPoint.Port, RemotePortOf(connected.LocalEndPoint.Port));
        Assert.Equal(0, RemotePortOf(plain.LocalEndPoint.Port));
    }

    /// <summary>The remote port of the IPv4 UDP socket bound to <paramref name="localPort"/> (0: not connected), or null when there is none.</summary>
    private static int? RemotePortOf(int localPort)
    {
        // "sl local_address rem_address ...", addresses as HEXIP:HEXPORT.
        foreach (string line in File.ReadLines("/proc/net/udp").Skip(1))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (int.Parse(fields[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == localPort)
            {
                return int.Parse(fields[2].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
