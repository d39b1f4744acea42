using System.Text.Json;

namespace Sfu.Browser.Tests;

/// <summary>
/// End-to-end encrypted media passes through the server untouched. Two Chromium pages encrypt
/// every frame they send with an Encoded Transform (RTCRtpScriptTransform in a worker) under a
/// shared AES-GCM key, leaving the first bytes in the clear as LiveKit's client does (VP8: 10
/// bytes of a keyframe, 3 of a delta frame; audio: 1), and decrypt what they receive: each
/// decodes the other's video. A third page (sending in the clear) holds another key: it receives the same encrypted
/// frames (their trailer intact) and cannot decrypt one of them, so the server forwarded them
/// without reading or changing what the clear bytes do not show.
/// </summary>
public sealed class E2eeTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan MediaDeadline = TimeSpan.FromSeconds(40);

    /// <summary>
    /// The worker: frame = clear bytes | AES-GCM ciphertext of the rest (clear bytes as
    /// additional data) | 12-byte IV | E2 EE 5F A7. Received frames without the trailer pass as they
    /// are; those with it are decrypted, and dropped when that fails. Counts go to the page.
    /// </summary>
    private const string WorkerSource = """
        // Four bytes: a clear frame (Eve's) ends in one given byte once in 256, in these four once in 2^32.
        const MAGIC = [0xe2, 0xee, 0x5f, 0xa7];
        const sealedTail = (d) => d.length >= 4 && MAGIC.every((m, i) => d[d.length - 4 + i] === m);
        const counts = { sent: 0, sealed: 0, opened: 0, failed: 0 };
        let keyPromise = null;
        setInterval(() => self.postMessage(counts), 250);
        function clearBytes(frame) {
          if (frame.type === undefined) return 1; // audio
          return frame.type === 'key' ? 10 : 3;
        }
        onrtctransform = (event) => {
          const transformer = event.transformer;
          const { side, keyHex } = transformer.options;
          keyPromise ??= crypto.subtle.importKey('raw', new Uint8Array(keyHex.match(/../g).map((h) => parseInt(h, 16))), 'AES-GCM', false, ['encrypt', 'decrypt']);
          const transform = new TransformStream({
            async transform(frame, controller) {
              const data = new Uint8Array(frame.data);
              const clear = clearBytes(frame);
              if (side === 'send') {
                if (data.length > clear) {
                  const key = await keyPromise;
                  const iv = crypto.getRandomValues(new Uint8Array(12));
                  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: data.subarray(0, clear) }, key, data.subarray(clear)));
                  const out = new Uint8Array(clear + sealed.length + 16);
                  out.set(data.subarray(0, clear));
                  out.set(sealed, clear);
                  out.set(iv, clear + sealed.length);
                  out.set(MAGIC, clear + sealed.length + 12);
                  frame.data = out.buffer;
                  counts.sent++;
                }
                controller.enqueue(frame);
                return;
              }
              if (data.length < clear + 32 || !sealedTail(data)) {
                controller.enqueue(frame);
                return;
              }
              counts.sealed++;
              const key = await keyPromise;
              const iv = data.subarray(data.length - 16, data.length - 4);
              try {
                const plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: data.subarray(0, clear) }, key, data.subarray(clear, data.length - 16)));
                const out = new Uint8Array(clear + plain.length);
                out.set(data.subarray(0, clear));
                out.set(plain, clear);
                frame.data = out.buffer;
                counts.opened++;
                controller.enqueue(frame);
              } catch {
                counts.failed++;
                if (transformer.options.passUndecryptable) controller.enqueue(frame);
              }
            },
          });
          transformer.readable.pipeThrough(transform).pipeTo(transformer.writable);
        };
        """;

    /// <summary>
    /// Every receiver of the page's peer connections gets the worker's transform with
    /// <paramref name="keyHex"/>; a <paramref name="keyed"/> page's senders too, and it drops
    /// what it cannot decrypt. Another page sends in the clear and hands its decoder whatever
    /// arrives.
    /// </summary>
    private static string E2eeScript(string keyHex, bool keyed) => $$"""
        (() => {
          const worker = new Worker(URL.createObjectURL(new Blob([{{JsonSerializer.Serialize(WorkerSource)}}], { type: 'text/javascript' })));
          window.e2ee = { sent: 0, sealed: 0, opened: 0, failed: 0 };
          worker.onmessage = (e) => { window.e2ee = e.data; };
          const options = (side) => ({ side, keyHex: '{{keyHex}}', passUndecryptable: {{(keyed ? "false" : "true")}} });
          const proto = RTCPeerConnection.prototype;
          const addTransceiver = proto.addTransceiver;
          proto.addTransceiver = function (...args) {
            const transceiver = addTransceiver.apply(this, args);
            if ({{(keyed ? "true" : "false")}}) transceiver.sender.transform = new RTCRtpScriptTransform(worker, options('send'));
            return transceiver;
          };
          const setRemote = proto.setRemoteDescription;
          proto.setRemoteDescription = async function (...args) {
            await setRemote.apply(this, args);
            for (const t of this.getTransceivers()) {
              if (!t.receiver.transform) t.receiver.transform = new RTCRtpScriptTransform(worker, options('receive'));
            }
          };
        })();
        """;

    private static Task<JsonElement> CountsAsync(BrowserParticipant page) => page.CallAsync<JsonElement>("() => window.e2ee");

    [Fact(Timeout = 180_000)]
    public async Task Pages_sharing_a_key_decode_each_others_encrypted_video_and_a_page_without_it_gets_frames_it_cannot_decrypt()
    {
        const string room = "e2ee";
        const string key = "000102030405060708090a0b0c0d0e0f";
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant a = await BrowserParticipant.JoinWithScriptAsync(browser, server, room, "Ada", E2eeScript(key, keyed: true));
        await using BrowserParticipant b = await BrowserParticipant.JoinWithScriptAsync(browser, server, room, "Bo", E2eeScript(key, keyed: true));
        await using BrowserParticipant eve = await BrowserParticipant.JoinWithScriptAsync(browser, server, room, "Eve", E2eeScript("f0e0d0c0b0a090807060504030201000", keyed: false));

        foreach (BrowserParticipant p in new[] { a, b })
        {
            // The other keyed page's video, decrypted, and Eve's, sent in the clear.
            await Eventually.UntilAsync(
                () => p.GrowingRemoteTracksAsync("video"),
                tracks => tracks.Count == 2,
                MediaDeadline,
                $"{p.Name} to decode video",
                cancel);
        }

        await Eventually.UntilAsync(
            async () => (A: await CountsAsync(a), B: await CountsAsync(b), Eve: await CountsAsync(eve)),
            c => Opened(c.A) >= 100 && Opened(c.B) >= 100 && c.Eve.GetProperty("sealed").GetInt32() >= 100,
            MediaDeadline,
            "encrypted frames to be opened by the keyed pages and to reach Eve",
            cancel);

        JsonElement ada = await CountsAsync(a), bo = await CountsAsync(b), eveCounts = await CountsAsync(eve);
        string counts = $"Ada {ada}, Bo {bo}, Eve {eveCounts}";
        TestContext.Current.SendDiagnosticMessage(counts);

        // Every sealed frame the keyed pages received opened: none was changed on the way.
        Assert.True(ada.GetProperty("failed").GetInt32() == 0 && bo.GetProperty("failed").GetInt32() == 0, counts);

        // Eve got the sealed frames whole (trailer in place) and opened none of them.
        Assert.True(eveCounts.GetProperty("opened").GetInt32() == 0, counts);
        Assert.True(eveCounts.GetProperty("failed").GetInt32() >= 100, counts);

        // Both keyed pages decode each other's video while it is encrypted end to end.
        foreach (BrowserParticipant p in new[] { a, b })
        {
            IReadOnlyList<InboundRtpSample> decoding = await p.GrowingRemoteTracksAsync("video");
            Assert.True(decoding.Count == 2, $"{p.Name} decodes {decoding.Count} videos; {counts}");
        }
    }

    private static int Opened(JsonElement counts) => counts.GetProperty("opened").GetInt32();
}
