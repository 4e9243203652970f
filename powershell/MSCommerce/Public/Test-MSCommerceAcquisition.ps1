function Test-MSCommerceAcquisition {
    <#
    .SYNOPSIS
        Asks whether a user may buy or try a product now, and why.

    .DESCRIPTION
        Calls GET /v1.0/acquisitionDecisions?productId=...&kind=...[&userId=...] (or offerType= for a third-party
        offer type) and writes the decision: Allowed, the PolicyValue it rests on, the Reason in words and, when
        refused, the RefusalCode. Nothing is bought. Without -UserId the decision is the caller's own; for another
        user of the organization the caller needs to be able to read the policy (Global Administrator, Billing
        Administrator, Global Reader, or an app with a policy permission). Users piped in bind by their UserId.

    .PARAMETER ProductId
        The product, current or old ID. Binds from piped objects by property name.

    .PARAMETER OfferType
        A third-party offer type instead of a product: SaaS, POWERBIVISUALS, DYNAMICSCE or DYNAMICSBC.

    .PARAMETER AcquisitionKind
        Purchase (the default), TrialWithPaymentMethod or TrialWithoutPaymentMethod.

    .PARAMETER UserId
        The user the decision is for. Binds from the UserId property of piped objects (Get-MSCommerceUser).

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Test-MSCommerceAcquisition -ProductId 'CFQ7TTC0H9MP'

        Says whether the caller may buy Power BI Pro now.

    .EXAMPLE
        Get-MSCommerceUser | Test-MSCommerceAcquisition -ProductId 'CFQ7TTC0HDB1' -AcquisitionKind TrialWithoutPaymentMethod | Where-Object -Property Allowed -EQ $false

        Lists who may not start a free trial of Project Plan 1, and why.

    .INPUTS
        System.String. ProductId and UserId, by property name.

    .OUTPUTS
        MSCommerce.AcquisitionDecision. Properties: Allowed, PolicyValue, Reason, RefusalCode,
        LicenseRequestPossible (the policy refused, so the user may ask for a license with
        New-MSCommerceLicenseRequest), ProductId, ProductName, AcquisitionKind, UserId.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Product')]
    [OutputType('MSCommerce.AcquisitionDecision')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Product', ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$ProductId,

        [Parameter(Mandatory, ParameterSetName = 'OfferType')]
        [ValidateSet('SaaS', 'POWERBIVISUALS', 'DYNAMICSCE', 'DYNAMICSBC')]
        [string]$OfferType,

        [Parameter(Position = 1)]
        [ValidateSet('Purchase', 'TrialWithPaymentMethod', 'TrialWithoutPaymentMethod')]
        [string]$AcquisitionKind = 'Purchase',

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$UserId,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        $query = @{ kind = $AcquisitionKind }
        $target = $ProductId
        if ($PSCmdlet.ParameterSetName -eq 'OfferType') {
            $query['offerType'] = $OfferType
            $target = $OfferType
        }
        else {
            $query['productId'] = $ProductId
        }
        if (-not [string]::IsNullOrEmpty($UserId)) {
            $query['userId'] = $UserId
        }
        $splatRest = @{
            Method       = 'GET'
            Path         = '/v1.0/acquisitionDecisions'
            Query        = $query
            Token        = $Token
            ErrorContext = "Failed to decide on '$target'"
            TargetObject = $target
        }
        try {
            $decision = Invoke-MSCommerceRestMethod @splatRest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            return
        }
        [pscustomobject]@{
            PSTypeName             = 'MSCommerce.AcquisitionDecision'
            Allowed                = $decision.allowed
            PolicyValue            = $decision.policyValue
            Reason                 = $decision.reason
            RefusalCode            = $decision.refusalCode
            LicenseRequestPossible = [bool]$decision.licenseRequestPossible
            ProductId              = $decision.productId
            ProductName            = $decision.productName
            AcquisitionKind        = $decision.acquisitionKind
            UserId                 = $decision.userId
        }
    }
}
