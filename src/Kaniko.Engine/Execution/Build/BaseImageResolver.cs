using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Images;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>What a stage starts from: its base image, its config state and what it knows of its files.</summary>
/// <param name="Image">Scratch, an earlier stage's image, or a registry image read lazily through the base-image cache.</param>
/// <param name="State">The config state the stage's steps change.</param>
/// <param name="Filesystem">The files of the base, as far as the stage knows them.</param>
internal sealed record StageBase(IImage Image, ImageConfigState State, StageFilesystem Filesystem);

/// <summary>
/// Resolves a stage's <c>FROM</c>: scratch, an earlier stage of the build, or an image of a registry for the stage's
/// platform (read lazily through the base-image cache). A single-platform base of another platform is used as it is,
/// with a warning.
/// </summary>
internal sealed class BaseImageResolver(ExecutionOptions options, ConfigStateOptions stateOptions, IBuildEventSink events, LayerHeaderCache headers, BuildWarnings warnings)
{
    /// <summary>The base of <paramref name="stage"/>, which runs as <paramref name="platform"/>.</summary>
    public async Task<StageBase> ResolveAsync(
        StagePlan stage, Platform platform, IReadOnlyDictionary<int, StageResult> earlier, CancellationToken cancellationToken)
    {
        if (stage.BaseStage is { } baseIndex)
        {
            var baseStage = earlier[baseIndex];
            return new StageBase(baseStage.Image, baseStage.State.ForDerivedStage(), baseStage.Filesystem.Clone());
        }

        if (stage.IsScratch)
        {
            return new StageBase(ScratchImage.For(platform), ImageConfigState.FromScratch(platform, stateOptions), StageFilesystem.Empty());
        }

        ImageReference reference;
        try
        {
            reference = ImageReference.Parse(stage.From.BaseName);
        }
        catch (KanikoException e)
        {
            throw e.WithRangeIfMissing(stage.From.Range);
        }

        IImage remote;
        try
        {
            remote = await options.Fetcher.OpenAsync(reference, platform, cancellationToken).ConfigureAwait(false);
        }
        catch (KanikoException e)
        {
            throw e.WithRangeIfMissing(stage.From.Range);
        }

        WarnOnPlatformMismatch(stage, remote.Config.Value, platform);
        var state = ImageConfigState.FromImage(remote.Config.Value, stateOptions);
        var cached = new CachedImage(remote, options.BaseImageCache, events);
        return new StageBase(cached, state, StageFilesystem.Of(cached.Layers, headers));
    }

    // A single-platform base of another platform is used as it is (BuildKit does the same and warns): the image
    // then says it is for the base's platform, whatever the build asked for.
    private void WarnOnPlatformMismatch(StagePlan stage, ImageConfigFile config, Platform wanted)
    {
        if (string.IsNullOrEmpty(config.Os) || string.IsNullOrEmpty(config.Architecture))
        {
            return;
        }

        var offered = new Platform { Os = config.Os, Architecture = config.Architecture, Variant = string.IsNullOrEmpty(config.Variant) ? null : config.Variant };
        if (!wanted.Matches(offered))
        {
            var warning = new BuildWarning(
                DiagnosticCodes.BaseImagePlatformMismatch,
                string.Format(CultureInfo.InvariantCulture, Strings.BaseImagePlatformMismatch, stage.From.BaseName, offered.Normalize(), wanted),
                stage.From.Range);
            warnings.Add(warning);
        }
    }
}
