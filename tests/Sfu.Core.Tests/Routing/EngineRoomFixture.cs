using Sfu.Core.Routing;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;
using Sfu.Core.Tests.Streams;

namespace Sfu.Core.Tests.Routing;

/// <summary>Media through the real engine in memory: packets a publisher sends, what each subscriber gets.</summary>
internal static class EngineRoomExtensions
{
    public static DownTrack VideoDownTrack(this EnginePeer subscriber)
        => subscriber.Participant!.DownTracks.Single(d => d.Source.Kind == MediaKind.Video);

    public static Producer VideoProducer(this EnginePeer publisher)
        => publisher.Participant!.Producers.Single(p => p.Kind == MediaKind.Video);

    /// <summary>The publisher sends one VP8 packet; returns what it was (plain).</summary>
    public static byte[] SendVideo(this EngineRoom room, ushort sequenceNumber, bool keyframe)
    {
        byte[] plain = StreamPackets.Vp8(room.Publisher.VideoSsrc, sequenceNumber, keyframe);
        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(plain));
        return plain;
    }

    /// <summary>The last video packet a subscriber got, decrypted and parsed.</summary>
    public static RtpPacket LastVideo(this EnginePeer subscriber, out byte[] plain)
    {
        plain = subscriber.OpenLastMedia() ?? throw new InvalidOperationException("the last datagram does not decrypt");
        return StreamPackets.View(plain);
    }
}
