namespace PretrainLab.Lab.Recipes;

/// <summary>
/// The shape of the learning-rate schedule after warmup. In recipes each member is written in
/// snake_case (<c>Cosine</c> is <c>cosine</c>), so a new schedule only needs a new member here.
/// </summary>
public enum ScheduleKind
{
    /// <summary>Cosine decay from the peak rate to <c>min_lr_ratio</c> times it at the end of the budget.</summary>
    Cosine,

    /// <summary>The peak rate held until the end of the budget.</summary>
    Constant,

    /// <summary>Linear decay from the peak rate to <c>min_lr_ratio</c> times it at the end of the budget.</summary>
    Linear,

    /// <summary>Warmup-stable-decay: the peak rate, then a linear cool-down over the last <c>decay_fraction</c> of the budget.</summary>
    Wsd,
}
