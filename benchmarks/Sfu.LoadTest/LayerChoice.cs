namespace Sfu.LoadTest;

/// <summary>Simulcast runs: which layer the receive-only participants ask for, by the size they report.</summary>
internal enum LayerChoice
{
    /// <summary>Small, medium and large in turn (participant i takes layer i mod 3).</summary>
    Mixed,

    /// <summary>Everyone 320×180 (q).</summary>
    Small,

    /// <summary>Everyone 640×360 (h).</summary>
    Medium,

    /// <summary>Everyone 1280×720 (f): the same stream a run without simulcast forwards, so the two compare packet for packet.</summary>
    Large,
}
