function ConvertTo-MSCommercePolicyValue {
    <#
    .SYNOPSIS
        Returns the canonical spelling of a policy value, or $null when it is not one.

    .DESCRIPTION
        Compares case-insensitively with Enabled, Disabled and OnlyTrialsWithoutPaymentMethod, so 'disabled'
        becomes 'Disabled'.

    .PARAMETER Value
        The value to check.

    .EXAMPLE
        ConvertTo-MSCommercePolicyValue -Value 'disabled'

        Returns 'Disabled'.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyString()]
        [string]$Value
    )

    foreach ($known in @('Enabled', 'Disabled', 'OnlyTrialsWithoutPaymentMethod')) {
        if ($known -eq $Value) {
            return $known
        }
    }
    return $null
}
