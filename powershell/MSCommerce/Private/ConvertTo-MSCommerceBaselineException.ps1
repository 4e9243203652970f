function ConvertTo-MSCommerceBaselineException {
    <#
    .SYNOPSIS
        Checks the -Exception table of Set-MSCommerceProductPolicyBaseline and returns it normalized.

    .DESCRIPTION
        Returns a case-insensitive dictionary of ID to canonical policy value (Enabled, Disabled,
        OnlyTrialsWithoutPaymentMethod). An empty ID or an unknown value throws a terminating ErrorRecord
        'InvalidPolicyValue' (category InvalidArgument) before anything is read or changed.

    .PARAMETER Exception
        The table given to -Exception, for example @{ 'CFQ7TTC0H9MP' = 'Enabled' }. $null gives an empty table.

    .EXAMPLE
        ConvertTo-MSCommerceBaselineException -Exception @{ 'cfq7ttc0h9mp' = 'enabled' }

        Returns a dictionary whose entry 'cfq7ttc0h9mp' is 'Enabled'.

    .OUTPUTS
        System.Collections.Generic.Dictionary[string,string].
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Generic.Dictionary[string, string]])]
    param(
        [System.Collections.IDictionary]$Exception
    )

    $comparer = [System.StringComparer]::OrdinalIgnoreCase
    $map = New-Object -TypeName 'System.Collections.Generic.Dictionary[string,string]' -ArgumentList $comparer
    if ($null -eq $Exception) {
        return $map
    }
    foreach ($key in $Exception.Keys) {
        $id = ([string]$key).Trim()
        $value = ConvertTo-MSCommercePolicyValue -Value ([string]$Exception[$key])
        if ([string]::IsNullOrEmpty($id) -or $null -eq $value) {
            $message = "The exception '$key' = '$($Exception[$key])' is not valid. Give a product or offer-type " +
            'ID and one of Enabled, Disabled, OnlyTrialsWithoutPaymentMethod.'
            $splatError = @{
                Message      = $message
                ErrorId      = 'InvalidPolicyValue'
                Category     = 'InvalidArgument'
                TargetObject = $key
            }
            $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
        }
        $map[$id] = $value
    }
    return $map
}
