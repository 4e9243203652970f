function Update-MSCommerceProductPolicy {
    <#
    .SYNOPSIS
        Sets the value of a policy for one or more products, or for one third-party offer type.

    .DESCRIPTION
        Calls PUT /v1.0/policies/{PolicyId}/products/{ProductId} (or .../offerTypes/{OfferType}) with
        {"policyValue": "<value>"} and returns the updated MSCommerce.ProductPolicy or MSCommerce.OfferTypePolicy
        object. The value is given with -Value (Enabled, Disabled, OnlyTrialsWithoutPaymentMethod) or, as in older
        scripts, with -Enabled True|False. Offer types accept only Enabled and Disabled; OnlyTrialsWithoutPaymentMethod
        for an offer type is refused before any call.
        Each change asks ShouldProcess, so -WhatIf shows what would change and calls nothing, and -Confirm asks
        before each one. Microsoft's status lines are kept on the information stream: "Update policy product
        success" after a change, "Updating product policy aborted" when a change is declined.
        Objects from Get-MSCommerceProductPolicies and Get-MSCommerceProductPolicy can be piped in: PolicyId,
        ProductId and ScopeId bind by property name. A failed product is reported as a non-terminating error
        (message "Failed to update product policy, ErrorMessage - ... ErrorDetails - ...", ErrorId the service's
        errorCode) and the next product is still updated.

    .PARAMETER PolicyId
        The policy, for example AllowSelfServicePurchase. Binds from the PolicyId property of piped objects.

    .PARAMETER ProductId
        One or more product IDs, for example CFQ7TTC0H9MP (Power BI Pro). Binds from the ProductId property of
        piped objects.

    .PARAMETER OfferType
        A third-party offer type: SaaS, POWERBIVISUALS, DYNAMICSCE or DYNAMICSBC. Binds from the OfferType or
        ScopeId property of piped objects.

    .PARAMETER Value
        The new value: Enabled (users may buy and start trials), Disabled (neither), or
        OnlyTrialsWithoutPaymentMethod (only trials that need no payment method; products flagged for it only).

    .PARAMETER Enabled
        The older way to give the value, kept for scripts written for Microsoft's module: True ($true) means
        Enabled and False ($false) means Disabled. Any other text is refused with Microsoft's message
        'Value of $Enabled must be one of the following: $True, $true, $False, $false'.

    .PARAMETER Token
        An access token to use for this call instead of the one Connect-MSCommerce obtained. With -Token the
        command works without Connect-MSCommerce; the service address is then $env:MSCOMMERCE_URI, or
        http://localhost:8080.

    .PARAMETER WhatIf
        Shows what would change without changing anything.

    .PARAMETER Confirm
        Asks before each change.

    .EXAMPLE
        Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP' -Value 'Disabled'

        Stops users from buying or trying Power BI Pro themselves.

    .EXAMPLE
        Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase' | Update-MSCommerceProductPolicy -Value 'Disabled'

        Disables self-service purchase for every product.

    .EXAMPLE
        Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase' | Where-Object -Property PolicyValue -NE 'Disabled' | Update-MSCommerceProductPolicy -Value 'Disabled' -WhatIf

        Shows which products would be disabled, without changing them.

    .EXAMPLE
        Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -OfferType 'SaaS' -Enabled $false

        Disables third-party SaaS offers with the older -Enabled syntax.

    .INPUTS
        Objects with PolicyId and ProductId properties (MSCommerce.ProductPolicy), or PolicyId and ScopeId
        (MSCommerce.OfferTypePolicy).

    .OUTPUTS
        MSCommerce.ProductPolicy (PolicyId, PolicyValue, ProductName, ProductId) or MSCommerce.OfferTypePolicy
        (PolicyId, PolicyValue, Scope, ScopeValue, ScopeId), as the service answers after the change.
    #>
    [CmdletBinding(DefaultParameterSetName = 'ProductEnum', SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('MSCommerce.ProductPolicy', ParameterSetName = ('ProductEnum', 'ProductToggle'))]
    [OutputType('MSCommerce.OfferTypePolicy', ParameterSetName = ('OfferTypeEnum', 'OfferTypeToggle'))]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$PolicyId,

        [Parameter(Mandatory, ParameterSetName = 'ProductEnum', ValueFromPipelineByPropertyName)]
        [Parameter(Mandatory, ParameterSetName = 'ProductToggle', ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string[]]$ProductId,

        [Parameter(Mandatory, ParameterSetName = 'OfferTypeEnum', ValueFromPipelineByPropertyName)]
        [Parameter(Mandatory, ParameterSetName = 'OfferTypeToggle', ValueFromPipelineByPropertyName)]
        [Alias('ScopeId')]
        [ValidateNotNullOrEmpty()]
        [string]$OfferType,

        [Parameter(Mandatory, ParameterSetName = 'ProductEnum')]
        [Parameter(Mandatory, ParameterSetName = 'OfferTypeEnum')]
        [ValidateSet('Enabled', 'Disabled', 'OnlyTrialsWithoutPaymentMethod')]
        [string]$Value,

        [Parameter(Mandatory, ParameterSetName = 'ProductToggle')]
        [Parameter(Mandatory, ParameterSetName = 'OfferTypeToggle')]
        [string]$Enabled,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        if ($PSCmdlet.ParameterSetName -like '*Toggle') {
            $policyValue = ConvertFrom-MSCommerceEnabledValue -Enabled $Enabled
            if ($null -eq $policyValue) {
                $splatError = @{
                    Message      = 'Value of $Enabled must be one of the following: $True, $true, $False, $false'
                    ErrorId      = 'InvalidEnabledValue'
                    Category     = 'InvalidArgument'
                    TargetObject = $Enabled
                }
                $PSCmdlet.WriteError((New-MSCommerceErrorRecord @splatError))
                return
            }
        }
        else {
            $policyValue = ConvertTo-MSCommercePolicyValue -Value $Value
        }
        $action = "Set policy value to '$policyValue'"

        if ($PSCmdlet.ParameterSetName -like 'OfferType*') {
            if ($policyValue -eq 'OnlyTrialsWithoutPaymentMethod') {
                $message = "Offer type '{0}' accepts only Enabled or Disabled; {1} applies to products." -f $OfferType, $policyValue
                $splatError = @{
                    Message      = $message
                    ErrorId      = 'PolicyValueNotAllowed'
                    Category     = 'InvalidArgument'
                    TargetObject = $OfferType
                }
                $PSCmdlet.WriteError((New-MSCommerceErrorRecord @splatError))
                return
            }
            if (-not $PSCmdlet.ShouldProcess("Offer type '$OfferType' of policy '$PolicyId'", $action)) {
                Write-MSCommerceStatus -Message 'Updating product policy aborted'
                return
            }
            $splatOfferType = @{
                Method        = 'PUT'
                Path          = '/v1.0/policies/{policyId}/offerTypes/{offerType}'
                PathParameter = @{ policyId = $PolicyId; offerType = $OfferType }
                Body          = @{ policyValue = $policyValue }
                Token         = $Token
                ErrorContext  = 'Failed to update product policy'
                TargetObject  = $OfferType
            }
            try {
                $updated = ConvertTo-MSCommercePolicyItem -InputObject (Invoke-MSCommerceRestMethod @splatOfferType)
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
                return
            }
            Write-MSCommerceStatus -Message 'Update policy product success'
            $updated
            return
        }

        foreach ($id in $ProductId) {
            if (-not $PSCmdlet.ShouldProcess("Product '$id' of policy '$PolicyId'", $action)) {
                Write-MSCommerceStatus -Message 'Updating product policy aborted'
                continue
            }
            $splatProduct = @{
                Method        = 'PUT'
                Path          = '/v1.0/policies/{policyId}/products/{productId}'
                PathParameter = @{ policyId = $PolicyId; productId = $id }
                Body          = @{ policyValue = $policyValue }
                Token         = $Token
                ErrorContext  = 'Failed to update product policy'
                TargetObject  = $id
            }
            try {
                $updated = ConvertTo-MSCommercePolicyItem -InputObject (Invoke-MSCommerceRestMethod @splatProduct)
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
                continue
            }
            Write-MSCommerceStatus -Message 'Update policy product success'
            $updated
        }
    }
}
