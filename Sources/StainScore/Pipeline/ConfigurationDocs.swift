/// The explanation printed above each parameter by `ihc-score config --print-defaults`, keyed by
/// its dotted name (tables by their name). They restate the `///` comments of the parameter
/// structs in a user's words; a test fails when a parameter has none.
public enum ConfigurationDocs {
    /// Examples shown (commented out) for optional parameters that are unset by default.
    public static let examples: [String: String] = [
        "background": "[242, 242, 242]",
    ]

    public static let text: [String: String] = [
        // Top level
        "analysisMicronsPerPixel": "Tiles finer than this pixel size (µm/px) are reduced by an integer box average before analysis. 40× scans (0.25 µm/px) are analysed as they are: halving them merges 1–2 µm membranes with the cytoplasm beside them. 0 = always analyse at full resolution.",
        "estimateStains": "Estimate the stain vectors per slide (Macenko) instead of using [stains] below; slides whose estimate fails fall back to [stains] and are flagged.",
        "background": "Glass intensity (R, G, B, each 1–255) used for optical density. Unset = estimated per tile from its glass (255 when it has none).",

        // Rules
        "rules": "Scoring rules: the published rule set and the thresholds that turn membranes into cell classes and cells into a slide score.",
        "rules.ruleSet": "Published rule set applied to the pooled tumour cells of each slide.",
        "rules.minimumTumourCells": "Slides with fewer tumour cells than this are flagged 'insufficient'.",
        "rules.borderlineMarginPercent": "A deciding percentage within this many percentage points of its cut-off flags the slide 'borderline' (when moving it across would change the score).",
        "rules.sparseIntenseMinimumPercent": "The guideline's 'intense complete staining in ≤10% of cells → 2+' pattern applies only from this share (%) of 3+ cells, so a few isolated misclassified cells do not make a slide equivocal. 0 = the guideline's wording literally.",
        "rules.clusterMinimumCells": "Gastric biopsy rules: the smallest cohesive cluster of cells that sets the score.",
        "rules.clusterLinkDistanceMicrons": "Gastric biopsy rules: two cells belong to one cluster when their nuclei are at most this far apart (µm).",
        "rules.cells": "Cell classes from membrane intensity (mean log10 DAB optical density of the stained circumference) and completeness (stained fraction of the circumference).",
        "rules.cells.stainedThreshold": "Membrane DAB optical density at or above which a point of the membrane counts as stained.",
        "rules.cells.weakIntensity": "Intensity from which staining is weak-to-moderate rather than faint.",
        "rules.cells.moderateIntensity": "Intensity from which incomplete staining counts as moderate (the guideline's incomplete 2+ pattern).",
        "rules.cells.intenseIntensity": "Intensity from which staining is intense (3+ when complete).",
        "rules.cells.completeFraction": "Completeness (0–1) from which a membrane is complete (circumferential).",
        "rules.cells.basolateralArcFraction": "Gastric rules: a longest stained arc covering at least this fraction (0–1) of the circumference (lateral/basolateral 'U') counts as complete.",
        "rules.cells.minimumStainedFraction": "Below this completeness (0–1) a cell is class 0 whatever its intensity: one short stained segment cannot be told apart from a neighbour's membrane.",

        // Stains
        "stains": "Stain optical-density directions (R, G, B) for colour deconvolution; defaults are Ruifrok & Johnston's H-DAB vectors, as in QuPath. Vectors are normalised to unit length.",
        "stains.hematoxylin": "Hematoxylin OD direction (R, G, B).",
        "stains.dab": "DAB OD direction (R, G, B).",

        // Tissue
        "tissue": "Glass, tissue and unmeasurable pixels.",
        "tissue.minimumTissueOD": "Summed RGB optical density above which a pixel is tissue rather than glass.",
        "tissue.maximumChannelOD": "A channel optical density above which a pixel is too dark or saturated to measure (folds, pigment).",

        // Nuclei
        "nuclei": "Nucleus detection on the hematoxylin channel (lengths in µm, areas in µm²).",
        "nuclei.backgroundRadiusMicrons": "Radius (µm) of the square opening whose result is the local hematoxylin background subtracted before detection (QuPath: 8 µm).",
        "nuclei.smoothingSigmaMicrons": "Gaussian σ (µm) of the smoothing before the Laplacian whose positive part is the nucleus mask; merges the rim, nucleoli and chromatin of a vesicular nucleus into one blob.",
        "nuclei.detectionMicronsPerPixel": "Nuclei are detected at this pixel size (µm/px) when the analysis pixels are at least 1.5× finer: the stain planes are box-averaged by the integer factor and the nucleus labels mapped back. 0 = detect at the analysis scale.",
        "nuclei.seedSigmaRangeMicrons": "Range [low, high] of the Gaussian σ (µm) of the scale-normalised Laplacian-of-Gaussian whose peaks seed one nucleus each; each pixel takes its strongest response over the scales, so a nucleus answers at its own size (σ ≈ radius/√2) and touching nuclei get one seed each.",
        "nuclei.minimumSeparationMicrons": "Two seeds closer than this (µm) are one nucleus.",
        "nuclei.minimumContrastOD": "A mask region is a nucleus only if its mean background-subtracted hematoxylin OD reaches this (decided per region, never per pixel).",
        "nuclei.minimumBlobResponseOD": "A seed's scale-normalised blob response (OD) must reach this: about 0.74 × the contrast of a uniform nucleus-sized disk; cytoplasm texture and thin fibres answer weakly.",
        "nuclei.dabDominance": "A region whose mean DAB exceeds this multiple of its mean hematoxylin is membrane stain leaking into the hematoxylin channel, not a nucleus, unless it is a compact round blob (a nucleus stained by a nuclear marker). 0 = off.",
        "nuclei.stainedNucleusMinimumWidthMicrons": "… a compact blob is at least this wide across its short axis (µm) …",
        "nuclei.stainedNucleusMaximumElongation": "… and at most this elongated.",
        "nuclei.seedShapeWeight": "Weight (0–1) of the filled nucleus-mask regions (each at its mean contrast) in the image the seeds are found on: a vesicular nucleus, a dark rim round a pale centre, then seeds at its centre rather than on its rim. 0 = the contrast alone.",
        "nuclei.minimumAreaMicrons2": "Smallest nucleus area kept (µm²; QuPath's default is 10).",
        "nuclei.maximumAreaMicrons2": "Largest nucleus area kept (µm²; QuPath's default is 400).",
        "nuclei.spindleMinimumElongation": "A nucleus-mask region at least this elongated (√(λ₁/λ₂) of its second moments) and at most spindleMaximumWidthMicrons wide is one stromal spindle nucleus, however many blob peaks lie along it. 0 = off.",
        "nuclei.spindleMaximumWidthMicrons": "… and at most this wide across its short axis (µm).",
        "nuclei.membraneRings": "Nuclei hidden under intense membrane stain: a pale hole closed by a ring of stained membrane, of a cell's size and holding no detected nucleus, is a cell; its nucleus is placed at the hole's strongest hematoxylin contrast.",
        "nuclei.membraneRings.enabled": "Look for nuclei in closed rings of stained membrane at all.",
        "nuclei.membraneRings.stainedOD": "DAB OD at or above which a pixel is stained membrane that closes a ring.",
        "nuclei.membraneRings.maximumMembraneWidthMicrons": "Stained structures holding a square of this side (µm) are a stained blob (a DAB-positive nucleus, brown cytoplasm), not membrane, and close no ring.",
        "nuclei.membraneRings.minimumAreaMicrons2": "Smallest area (µm²) a ring encloses for it to be one cell …",
        "nuclei.membraneRings.maximumAreaMicrons2": "… and the largest.",
        "nuclei.membraneRings.minimumTissueFraction": "At least this fraction of the enclosed region must be tissue (a small gland lumen is closed by stained membrane too, but it is glass).",
        "nuclei.membraneRings.nucleusRadiusMicrons": "The nucleus placed in a ring: the enclosed pixels within this radius (µm) of the hole's strongest hematoxylin contrast.",
        "nuclei.membraneRings.minimumContrastOD": "The hole's strongest smoothed hematoxylin contrast (OD) must reach this: a ring around a vacuole holds no hematoxylin.",

        // Cells
        "cells": "Membrane-guided cell segmentation: territories grown from the nuclei meet on the stained membranes.",
        "cells.maximumRadiusMicrons": "A cell never reaches further than this (µm) from its nucleus centre.",
        "cells.maximumRadiusPerNucleusRadius": "… nor further than this multiple of its nucleus' equivalent radius.",
        "cells.membraneFirst": "Membrane first: a basin closed by stained membrane (DAB ≥ ridgeStopOD) of an enclosed cell's size is one cell, the territory of its largest nucleus, following the membrane without the radius limit; other nuclei in it grow no cell.",
        "cells.enclosedMinimumAreaMicrons2": "Smallest closed basin (µm²) taken as one cell.",
        "cells.enclosedMaximumAreaMicrons2": "Largest closed basin (µm²) taken as one cell; larger ones are gaps in the membrane network and keep nucleus-grown territories.",
        "cells.floodMicronsPerPixel": "The cell flood runs at this pixel size (µm/px) when the analysis pixels are at least 1.5× finer (DAB box-averaged, territories mapped back block-wise); membranes are still measured at the analysis scale. 0 = flood at the analysis scale.",
        "cells.ridgeStopOD": "A territory that has climbed a membrane of at least this DAB OD does not run down its far side below half that level: cells stop at their stained membranes.",
        "cells.dabSmoothingSigmaMicrons": "Gaussian σ (µm) applied to the DAB plane before flooding (removes noise, keeps membranes sharp).",
        "cells.dabLevelCeiling": "DAB OD mapped to the top flooding level.",
        "cells.dabFlatBelowOD": "DAB below this OD is unstained for the flood (level 0): territories meet half-way across pale cytoplasm and glass instead of following sensor noise.",

        // Membrane
        "membrane": "Per-cell membrane measurement.",
        "membrane.sectors": "Angular sectors around the nucleus centre; completeness has this resolution.",
        "membrane.outerFraction": "Within each sector the membrane is sought beyond this fraction (0–1) of the way from the nucleus edge to the cell outline; stain nearer the nucleus is measured as cytoplasm.",
        "membrane.minimumOwnSectorFraction": "Sectors shared with a completely stained neighbour are left out of a cell's measurement, unless fewer than this fraction (0–1) of its sectors would remain.",
        "membrane.attributeSharedMembranes": "Whether to leave out membranes shared with completely stained neighbours at all.",
        "membrane.completeFractionForAttribution": "A neighbour counts as completely stained from this fraction (0–1) of stained sectors.",

        // Tumour cells
        "pixelSizeCheck": "A slide whose nuclei contradict the given pixel size is flagged 'pixel-size' with the pixel size the nuclei suggest.",
        "pixelSizeCheck.typicalNucleusAreaMicrons2": "Geometric mean area (µm²) of the nucleus-mask regions (before touching nuclei are split) expected at the true pixel size.",
        "pixelSizeCheck.areaExponent": "The measured areas grow as the pixel-size error to this power (not 2: the detection's smoothing is in µm).",
        "pixelSizeCheck.tolerance": "Flag when the pixel size the nuclei suggest differs from the given one by more than this factor, either way.",
        "pixelSizeCheck.minimumNuclei": "No verdict from fewer nuclei than this.",
        "tumour": "Rules on nucleus area, darkness, texture and shape that keep lymphocytes, stromal spindles and debris out of the tumour-cell denominator.",
        "tumour.minimumNucleusAreaMicrons2": "Nuclei smaller than this (µm²) are debris or fragments.",
        "tumour.minimumContrastOD": "Nuclei whose mean background-subtracted hematoxylin OD is below this are too faint to count.",
        "tumour.lymphocyteMaximumAreaMicrons2": "A lymphocyte is at most this large (µm²) …",
        "tumour.lymphocyteMaximumElongation": "… at most this elongated (≈ length/width) …",
        "tumour.lymphocyteMinimumOD": "… and dark: at least this mean hematoxylin OD outright …",
        "tumour.lymphocyteRelativeDarkness": "… or at least this multiple of the tile's median nucleus darkness (a lymphocyte is clearly darker than the tumour nuclei around it) …",
        "tumour.lymphocyteMinimumRelativeOD": "… and then at least this mean hematoxylin OD …",
        "tumour.lymphocyteMaximumTexture": "… and at most this textured (hematoxylin SD / mean): small, round, uniform and dark.",
        "tumour.spindleMinimumElongation": "A stromal spindle (fibroblast) is at least this elongated …",
        "tumour.spindleMaximumWidthMicrons": "… and at most this wide across its short axis (µm).",
    ]
}
