function Invoke-MSCommerceBaselineValue {
    <#
    .SYNOPSIS
        Sets one value of a baseline by its own PUT: the fallback for a service without the multi-value write.

    .DESCRIPTION
        Sends PUT .../products/{productId} or .../offerTypes/{offerType} for one planned change and writes an
        MSCommerce.BaselineChange; a refusal is written as a non-terminating error of -Cmdlet, so that the other
        values still change.

    .PARAMETER PolicyId
        The policy.

    .PARAMETER Change
        One planned change (Scope, TargetId, TargetName, OldValue, NewValue).

    .PARAMETER Token
        An access token, or empty for the connection's.

    .PARAMETER Cmdlet
        The calling command, which reports the errors.

    .EXAMPLE
        Invoke-MSCommerceBaselineValue -PolicyId 'AllowSelfServicePurchase' -Change $change -Cmdlet $PSCmdlet

        Sets one value.

    .OUTPUTS
        MSCommerce.BaselineChange.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.BaselineChange')]
    param(
        [Parameter(Mandatory)]
        [string]$PolicyId,

        [Parameter(Mandatory)]
        [psobject]$Change,

        [Parameter()]
        [string]$Token,

        [Parameter(Mandatory)]
        [System.Management.Automation.PSCmdlet]$Cmdlet
    )

    # The caller asked ShouldProcess for this change already.
    $splatRest = @{
        Body         = @{ policyValue = $Change.NewValue }
        Token        = $Token
        ErrorContext = 'Failed to update product policy'
        TargetObject = $Change.TargetId
    }
    try {
        if ($Change.Scope -eq 'OfferType') {
            $path = @{ policyId = $PolicyId; offerType = $Change.TargetId }
            $response = Invoke-MSCommerceRestMethod -Method 'PUT' -Path '/v1.0/policies/{policyId}/offerTypes/{offerType}' -PathParameter $path @splatRest
        }
        else {
            $path = @{ policyId = $PolicyId; productId = $Change.TargetId }
            $response = Invoke-MSCommerceRestMethod -Method 'PUT' -Path '/v1.0/policies/{policyId}/products/{productId}' -PathParameter $path @splatRest
        }
    }
    catch {
        Write-MSCommerceError -ErrorRecord $_ -Cmdlet $Cmdlet
        return
    }
    [pscustomobject]@{
        PSTypeName = 'MSCommerce.BaselineChange'
        PolicyId   = $PolicyId
        Scope      = $Change.Scope
        TargetId   = $Change.TargetId
        TargetName = $Change.TargetName
        OldValue   = $Change.OldValue
        NewValue   = [string]$response.policyValue
    }
}
