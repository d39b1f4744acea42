using System.Text.RegularExpressions;

namespace Sfu.Core.Tests;

/// <summary>
/// The folders of Sfu.Core are layers and dependencies point one way, down: a file may use
/// the namespaces of lower layers only. This reads the source itself, so a reverse
/// <c>using</c> (or a fully qualified reference) fails here before it grows into a cycle.
/// README's "How a packet crosses the server" draws the same table.
/// </summary>
public sealed partial class LayeringTests
{
    /// <summary>Each folder's layer; the root namespace (the engine) is above them all.</summary>
    public static readonly IReadOnlyDictionary<string, int> Layers = new Dictionary<string, int>
    {
        ["Diagnostics"] = 0,
        ["Stun"] = 0,
        ["Rtp"] = 0,
        ["Rtcp"] = 0,
        ["Srtp"] = 0,
        ["Negotiation"] = 0,
        ["Congestion"] = 0,
        ["Net"] = 1,
        ["Dtls"] = 1,
        ["Ice"] = 2,
        ["Tcp"] = 2,
        ["Sessions"] = 3,
        ["Streams"] = 3,
        ["Feedback"] = 4,
        ["Relay"] = 4,
        ["Routing"] = 5,
    };

    private const int Root = 6;

    public static TheoryData<string> SourceFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(CoreSource(), "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(CoreSource(), file);
            if (!relative.StartsWith("obj", StringComparison.Ordinal) && !relative.StartsWith("bin", StringComparison.Ordinal))
            {
                data.Add(relative.Replace('\\', '/'));
            }
        }

        return data;
    }

    [Fact]
    public void Every_folder_of_the_media_plane_has_a_layer()
    {
        string[] folders = [.. Directory.EnumerateDirectories(CoreSource()).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).Cast<string>()];

        Assert.All(folders, f => Assert.True(Layers.ContainsKey(f), $"{f}/ has no layer in LayeringTests.Layers"));
    }

    [Theory]
    [MemberData(nameof(SourceFiles))]
    public void A_file_uses_only_the_layers_below_its_own(string file)
    {
        string folder = file.Contains('/', StringComparison.Ordinal) ? file[..file.IndexOf('/', StringComparison.Ordinal)] : string.Empty;
        int own = folder.Length == 0 ? Root : Layers[folder];
        string source = File.ReadAllText(Path.Combine(CoreSource(), file));

        foreach (Match match in CoreNamespace().Matches(source))
        {
            string used = match.Groups[1].Value;
            if (used == folder || !Layers.TryGetValue(used, out int layer))
            {
                continue;
            }

            Assert.True(layer < own, $"{file} (layer {own}) uses Sfu.Core.{used} (layer {layer}): dependencies point down only");
        }

        if (own != Root)
        {
            Assert.False(EngineType().IsMatch(source), $"{file} names the engine or its options: lower layers are handed what they need");
        }
    }

    private static string CoreSource()
    {
        DirectoryInfo? directory = new(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SfuRouter.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new DirectoryNotFoundException("SfuRouter.sln not found above the test binaries"), "src", "Sfu.Core");
    }

    [GeneratedRegex(@"\bSfu\.Core\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex CoreNamespace();

    [GeneratedRegex(@"\b(SfuEngine|SfuOptions)\b")]
    private static partial Regex EngineType();
}
