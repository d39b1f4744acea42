using System.Text.Json;
using Sfu.Testing;

namespace Sfu.Browser.Tests;

/// <summary>
/// The SDP a browser page exchanged with the server, in the order it applied it: every
/// description the server wrote (remote offers and answers) is checked with
/// <see cref="SdpRules"/>, and with SFU_WRITE_SDP_FIXTURES=1 the browser's own offers and
/// answers are written to tests/Sfu.Core.Tests/Negotiation/Fixtures/Sdp for the parser and
/// answer tests (names: browser, version, order, side, type).
/// </summary>
public static class SdpCorpus
{
    /// <summary>
    /// Keeps every description the page applies, in order, as window.sdpLog ({ side, type, sdp }):
    /// the SDP fixtures of the negotiation tests are written from it.
    /// </summary>
    public const string LogScript = """
        () => {
          const log = (window.sdpLog = []);
          const proto = RTCPeerConnection.prototype;
          const setLocal = proto.setLocalDescription;
          const setRemote = proto.setRemoteDescription;
          proto.setLocalDescription = async function (...args) {
            await setLocal.apply(this, args);
            if (this.localDescription) log.push({ side: 'local', type: this.localDescription.type, sdp: this.localDescription.sdp });
          };
          proto.setRemoteDescription = async function (description) {
            await setRemote.call(this, description);
            log.push({ side: 'remote', type: description.type, sdp: description.sdp });
          };
        }
        """;

    /// <summary>Every description <paramref name="page"/> applied so far: (local or remote, offer or answer, SDP).</summary>
    public static async Task<IReadOnlyList<(string Side, string Type, string Sdp)>> DescriptionsAsync(this IMediaPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        JsonElement log = await page.CallAsync<JsonElement>("() => window.sdpLog ?? []");
        return [.. log.EnumerateArray().Select(e => (e.GetProperty("side").GetString() ?? "", e.GetProperty("type").GetString() ?? "", e.GetProperty("sdp").GetString() ?? ""))];
    }

    public static void CheckServerDescriptions(IReadOnlyList<(string Side, string Type, string Sdp)> descriptions)
    {
        ArgumentNullException.ThrowIfNull(descriptions);
        string? lastLocalOffer = null;
        var problems = new List<string>();
        for (int i = 0; i < descriptions.Count; i++)
        {
            (string side, string type, string sdp) = descriptions[i];
            if (side == "local" && type == "offer")
            {
                lastLocalOffer = sdp;
            }
            else if (side == "remote")
            {
                IReadOnlyList<string> found = SdpRules.Check(sdp, type == "answer" ? lastLocalOffer : null);
                problems.AddRange(found.Select(p => $"server {type} #{i}: {p}"));
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    public static void WriteIfAsked(string browserName, string version, IReadOnlyList<(string Side, string Type, string Sdp)> descriptions)
    {
        ArgumentNullException.ThrowIfNull(descriptions);
        if (Environment.GetEnvironmentVariable("SFU_WRITE_SDP_FIXTURES") != "1")
        {
            return;
        }

        string folder = Path.Combine(Screenshots.RepositoryRoot(), "tests", "Sfu.Core.Tests", "Negotiation", "Fixtures", "Sdp");
        Directory.CreateDirectory(folder);
        string major = version.Split('.')[0];
        int n = 0;
        foreach ((string side, string type, string sdp) in descriptions)
        {
            if (side == "local")
            {
                File.WriteAllText(Path.Combine(folder, $"{browserName}-{major}-{++n}-{type}.sdp"), sdp);
            }
        }
    }
}
