using Microsoft.Extensions.Options;
using Sfu.Core.Routing;
using Sfu.Host.Cluster;
using StackExchange.Redis;
using MediaKind = Sfu.Core.MediaKind;

namespace Sfu.Host.Tests;

/// <summary>
/// What one node lists of its relayed tracks, read back by another through a real redis-server:
/// a simulcast track's rids keep their order and each its SSRC; a listing that does not
/// describe a usable stream reads as not relayable rather than failing the reader.
/// </summary>
public sealed class RedisTrackRegistryTests
{
    private static readonly CodecDescription Vp8 = new(96, "VP8", 90_000, 0, null, 97);

    private static readonly ExtensionDescription[] Extensions =
    [
        new(4, "urn:ietf:params:rtp-hdrext:sdes:mid"),
        new(10, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"),
    ];

    [Fact]
    public async Task A_simulcast_track_reads_back_with_each_layers_rid_and_ssrc_in_order()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var registry = new RedisTrackRegistry(connection, new RedisKeys("test"), Options.Create(new ClusterOptions()));

        var camera = new PublishedTrack("1", MediaKind.Video, 0, null, "camera", Vp8, Extensions, ["q", "h", "f"], [0x1111_0001, 0, 0x1111_0003]);
        var microphone = new PublishedTrack("0", MediaKind.Audio, 0x2222_0001, null, "mic", new CodecDescription(111, "opus", 48_000, 2, "minptime=10;useinbandfec=1", null), []);
        await registry.PublishAsync("node-a", [new RelayedTrack("room", "p1", camera), new RelayedTrack("room", "p1", microphone)]);

        IReadOnlyList<RelayedTrack> read = await registry.ReadAsync("node-a");
        Assert.Equal(2, read.Count);

        PublishedTrack video = Assert.Single(read, t => t.Track.Kind == MediaKind.Video).Track;
        Assert.True(video.IsSimulcast);
        Assert.True(video.IsRelayable);
        Assert.Equal(["q", "h", "f"], video.Rids);
        Assert.Equal([0x1111_0001u, 0u, 0x1111_0003u], video.LayerSsrcs);
        Assert.Equal(0x1111_0001u, video.LayerSsrc(0));
        Assert.Equal(0u, video.LayerSsrc(1));
        Assert.Equal(0x1111_0003u, video.LayerSsrc(2));
        Assert.Equal(0u, video.Ssrc);
        Assert.Null(video.RtxSsrc);
        Assert.Equal(Vp8, video.Codec);
        Assert.Equal(Extensions, video.Extensions);
        Assert.Equal("camera", video.TrackId);

        PublishedTrack audio = Assert.Single(read, t => t.Track.Kind == MediaKind.Audio).Track;
        Assert.False(audio.IsSimulcast);
        Assert.True(audio.IsRelayable);
        Assert.Equal(0x2222_0001u, audio.LayerSsrc(0));
        Assert.Null(audio.LayerSsrcs);
    }

    [Fact]
    public async Task Listings_that_name_no_usable_stream_are_read_but_not_relayable()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var registry = new RedisTrackRegistry(connection, new RedisKeys("test"), Options.Create(new ClusterOptions()));

        PublishedTrack Simulcast(string mid, IReadOnlyList<string> rids, IReadOnlyList<uint>? ssrcs)
            => new(mid, MediaKind.Video, 0, null, "camera-" + mid, Vp8, Extensions, rids, ssrcs);

        RelayedTrack[] tracks =
        [
            new("room", "p1", Simulcast("1", ["q", "h"], null)),                  // no SSRCs at all
            new("room", "p1", Simulcast("2", ["q", "h"], [0x10])),                // one SSRC for two rids
            new("room", "p1", Simulcast("3", ["q", "h"], [0, 0])),                // no layer known yet
            new("room", "p1", Simulcast("4", ["q", "h"], [0x20, 0x20])),          // two layers on one SSRC
            new("room", "p1", Simulcast("5", [.. Enumerable.Range(0, PublishedTrack.MaxLayers + 1).Select(i => $"r{i}")], [.. Enumerable.Range(1, PublishedTrack.MaxLayers + 1).Select(i => (uint)i)])),
            new("room", "p1", new PublishedTrack("6", MediaKind.Audio, 0, null, "mic", Vp8, [])), // one stream, no SSRC
        ];
        await registry.PublishAsync("node-a", tracks);

        IReadOnlyList<RelayedTrack> read = await registry.ReadAsync("node-a");
        Assert.Equal(tracks.Length, read.Count);
        Assert.All(read, t => Assert.False(t.Track.IsRelayable, t.Field));
    }
}
