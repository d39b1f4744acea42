using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sfu.LoadTest;

/// <summary>The JSON form of results: camelCase, NaN written as null-free named literals.</summary>
internal static class ResultJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task WriteAsync(string path, IReadOnlyList<LoadResult> results)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, Options)).ConfigureAwait(false);
    }

    public static async Task<List<LoadResult>> ReadAsync(string path)
        => JsonSerializer.Deserialize<List<LoadResult>>(await File.ReadAllTextAsync(path).ConfigureAwait(false), Options)
            ?? throw new InvalidDataException($"{path} holds no results.");
}
