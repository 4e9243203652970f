function Assert-MSCommerceBaselineOfferTypeValue {
    <#
    .SYNOPSIS
        Refuses OnlyTrialsWithoutPaymentMethod for offer types before Set-MSCommerceProductPolicyBaseline calls
        anything.

    .DESCRIPTION
        Offer types accept only Enabled and Disabled. With -IncludeOfferTypes, the value for offer types
        (-OfferTypeValue, else -DefaultValue) must be one of them, and so must every exception naming one of the
        known offer types (SaaS, POWERBIVISUALS, DYNAMICSCE, DYNAMICSBC). Otherwise this throws a terminating
        ErrorRecord 'PolicyValueNotAllowed' (category InvalidArgument). Called once before any request, with the
        known offer types, and once before any change, with the offer types the service listed.

    .PARAMETER OfferTypeValue
        The value offer types without an exception would get.

    .PARAMETER Exception
        The normalized exceptions.

    .PARAMETER IncludeOfferTypes
        Whether offer types are part of the baseline.

    .PARAMETER OfferTypeId
        The offer-type IDs whose exceptions are checked. Defaults to the known ones.

    .EXAMPLE
        Assert-MSCommerceBaselineOfferTypeValue -OfferTypeValue 'Disabled' -Exception $map -IncludeOfferTypes

        Returns nothing when the values are allowed.

    .OUTPUTS
        None.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory)]
        [string]$OfferTypeValue,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.Dictionary[string, string]]$Exception,

        [switch]$IncludeOfferTypes,

        [string[]]$OfferTypeId = @('SaaS', 'POWERBIVISUALS', 'DYNAMICSCE', 'DYNAMICSBC')
    )

    $onlyTrials = 'OnlyTrialsWithoutPaymentMethod'
    $refused = New-Object -TypeName 'System.Collections.Generic.List[string]'
    if ($IncludeOfferTypes -and $OfferTypeValue -eq $onlyTrials) {
        $refused.Add('the offer types (pass -OfferTypeValue Enabled or Disabled)')
    }
    foreach ($offerType in $OfferTypeId) {
        if ($Exception.ContainsKey($offerType) -and $Exception[$offerType] -eq $onlyTrials) {
            $refused.Add("offer type '$offerType'")
        }
    }
    if ($refused.Count -eq 0) {
        return
    }
    $message = '{0} applies to products only; offer types accept Enabled or Disabled. Refused for: {1}.' -f
    $onlyTrials, ($refused -join ', ')
    $splatError = @{
        Message      = $message
        ErrorId      = 'PolicyValueNotAllowed'
        Category     = 'InvalidArgument'
        TargetObject = $OfferTypeValue
    }
    $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
}
