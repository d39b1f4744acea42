namespace Sfu.Core.Negotiation;

/// <summary>
/// Writes the SFU's own offers for renegotiation (RFC 8829 §5.2.2): the caller passes every m= section
/// in order (existing ones first, in their original positions; new ones appended), each live section
/// gets the same transport (BUNDLE, RFC 8843 §7.2) and a stopped one is written with port 0 and kept
/// out of the BUNDLE group (RFC 8843 §7.3.3). Setup comes from <see cref="LocalTransport"/>: actpass is
/// allowed in offers (RFC 8842 §5.2), but a re-offer normally keeps the role already established.
/// </summary>
public static class SdpOfferBuilder
{
    /// <exception cref="ArgumentException">Two sections share a mid, a mid is empty, or a live section has no codec.</exception>
    public static SessionDescription Build(
        LocalTransport transport,
        IReadOnlyList<OfferSection> sections,
        ulong sessionId,
        ulong sessionVersion)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(sections);

        SessionDescription offer = SdpSections.NewSession(sessionId, sessionVersion);

        // RFC 8285 §6, JSEP §5.2.1: a subscriber may receive the two-byte form, which the
        // rewriter writes only when an element does not fit the one-byte form.
        offer.ExtmapAllowMixed = true;
        var mids = new HashSet<string>(StringComparer.Ordinal);
        var bundled = new List<string>();
        foreach (OfferSection section in sections)
        {
            // These are our own inputs, not network data: a mistake here is a bug, so it throws.
            if (string.IsNullOrEmpty(section.Mid) || !mids.Add(section.Mid))
            {
                throw new ArgumentException($"mid '{section.Mid}' is empty or used twice", nameof(sections));
            }

            if (!section.Rejected && section.Codecs.Count == 0)
            {
                throw new ArgumentException($"section '{section.Mid}' has no codecs", nameof(sections));
            }

            var m = new MediaDescription
            {
                Kind = section.Kind,
                KindRaw = SdpSections.KindToken(section.Kind),
                Protocol = "UDP/TLS/RTP/SAVPF",
                Mid = section.Mid,
            };
            foreach (RtpCodec codec in section.Codecs)
            {
                m.Codecs.Add(codec.Clone());
            }

            SdpSections.SetFormats(m);
            if (m.Formats.Count == 0)
            {
                // RFC 8866 §5.14 needs one format even on a dead line; PT 0 is a harmless static one.
                m.Formats.Add("0");
            }

            if (section.Rejected)
            {
                SdpSections.MarkRejected(m);
                m.Direction = MediaDirection.Inactive;
                offer.Media.Add(m);
                continue;
            }

            SdpSections.AddTransport(m, transport);
            m.RtcpRsize = true;
            m.Direction = section.Direction;
            foreach (HeaderExtension ext in section.Extensions)
            {
                m.Extensions.Add(ext);
            }

            if (section.Stream is { } stream && section.Direction is MediaDirection.SendRecv or MediaDirection.SendOnly)
            {
                SdpSections.AddSendStream(m, stream);
            }

            AddReceivedSimulcast(m, section);
            offer.Media.Add(m);
            bundled.Add(section.Mid);
        }

        SdpSections.AddBundle(offer, bundled);
        return offer;
    }

    /// <summary>
    /// A section we receive simulcast in keeps saying so in every re-offer (RFC 8853 §5.3: the
    /// simulcast streams are renegotiated by each offer/answer): its rids as "recv" (RFC 8851
    /// §4) and a=simulcast:recv in the order the publisher sent them. Chromium answers a
    /// re-offer without them by pausing every layer but the first.
    /// </summary>
    private static void AddReceivedSimulcast(MediaDescription m, OfferSection section)
    {
        if (section.ReceiveRids is not { Count: > 0 } rids || section.Direction is not (MediaDirection.RecvOnly or MediaDirection.SendRecv))
        {
            return;
        }

        foreach (string rid in rids)
        {
            m.Rids.Add(new RidAttribute(rid, RidDirection.Recv, null));
        }

        // What the publisher sends, seen from our side: "recv q;h;f".
        m.Simulcast = new SimulcastDescription(rids, []).Mirrored();
    }
}
