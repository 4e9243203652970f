@{
    RootModule           = 'MSCommerce.psm1'
    ModuleVersion        = '3.5.0'
    GUID                 = '8c796fbc-2dc3-470d-b9cc-570fc341b324'
    Author               = 'mscommerce contributors'
    CompanyName          = 'mscommerce'
    Copyright            = '(c) mscommerce contributors. MIT License.'
    Description          = 'Manage the self-service purchase policy of an mscommerce service: the six cmdlets of Microsoft''s MSCommerce module with the same parameters, plus unattended sign-in, pipelines, -WhatIf, an audit log, a one-command baseline, the self-service subscriptions themselves (list, license holders, CSV export, take-over by moving users or cancelling), and the license requests of users the policy blocks (approve, deny, share). Windows PowerShell 5.1 and PowerShell 7 on Windows, Linux and macOS.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('MSCommerce.Format.ps1xml')
    FunctionsToExport    = @(
        'Add-MSCommerceSubscriptionUser'
        'Approve-MSCommerceLicenseRequest'
        'Connect-MSCommerce'
        'Deny-MSCommerceLicenseRequest'
        'Disable-MSCommerceSubscription'
        'Disconnect-MSCommerce'
        'Export-MSCommerceLicenseUser'
        'Get-MSCommerceAuditLog'
        'Get-MSCommerceDomain'
        'Get-MSCommerceLicense'
        'Get-MSCommerceLicenseRequest'
        'Get-MSCommerceLicenseRequestSetting'
        'Get-MSCommercePartnerCustomer'
        'Get-MSCommercePolicies'
        'Get-MSCommercePolicy'
        'Get-MSCommerceProductPolicies'
        'Get-MSCommerceProductPolicy'
        'Get-MSCommercePurchase'
        'Get-MSCommerceSubscription'
        'Get-MSCommerceTrustedIssuer'
        'Get-MSCommerceUser'
        'Move-MSCommerceSubscriptionUser'
        'New-MSCommerceDomain'
        'New-MSCommerceLicenseRequest'
        'New-MSCommercePurchase'
        'New-MSCommerceSubscription'
        'New-MSCommerceTrustedIssuer'
        'New-MSCommerceUser'
        'Remove-MSCommerceSubscriptionUser'
        'Remove-MSCommerceTrustedIssuer'
        'Send-MSCommerceLicenseRequest'
        'Set-MSCommerceLicenseRequestSetting'
        'Set-MSCommerceProductPolicyBaseline'
        'Set-MSCommerceSubscription'
        'Set-MSCommerceTrustedIssuerSignIn'
        'Set-MSCommerceUser'
        'Stop-MSCommerceSubscription'
        'Test-MSCommerceAcquisition'
        'Update-MSCommerceProductPolicy'
    )
    CmdletsToExport      = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Microsoft', 'Commerce', 'Licensing', 'SelfServicePurchase', 'MSCommerce', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = '3.5.0: Set-MSCommerceTrustedIssuerSignIn lets people sign in on the service''s sign-in page with a trusted identity provider. 3.4.0: license requests: users whom the policy does not let buy a product ask for a license (New-MSCommerceLicenseRequest), administrators list, approve, deny and share them (Get-, Approve-, Deny-, Send-MSCommerceLicenseRequest), and choose whether requests are taken here or through the organization''s own process (Get-/Set-MSCommerceLicenseRequestSetting). Partners act for their customers: Get-MSCommercePartnerCustomer lists them, Set-MSCommerceProductPolicyBaseline -TenantId applies one baseline to each, one transaction per customer. See CHANGELOG.md and docs/POWERSHELL.md.'
        }
    }
}
